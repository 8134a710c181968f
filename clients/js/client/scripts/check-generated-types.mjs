// `npm run check:types`, the CI drift check: regenerates the types from docs/openapi.json into a
// temporary file and fails when they differ from the committed src/generated/openapi.ts, i.e.
// when the server's API changed and the client was not regenerated (and rechecked) with it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DOCUMENT, GENERATED, generateTypes, warnRenames } from "./openapi-types.mjs";

const shown = (path) => relative(process.cwd(), path) || path;
const fail = (message) => {
  console.error(`check:types failed: ${message}`);
  process.exit(1);
};

if (!existsSync(DOCUMENT)) fail(`${shown(DOCUMENT)} does not exist`);
if (!existsSync(GENERATED)) {
  fail(`${shown(GENERATED)} does not exist: run \`npm run generate:types -w @hallpass/client\` and commit it`);
}

const { source, renames } = await generateTypes();
warnRenames(renames);
const dir = mkdtempSync(join(tmpdir(), "hallpass-openapi-"));
const fresh = join(dir, "openapi.ts");
try {
  writeFileSync(fresh, source);
  const expected = readFileSync(fresh, "utf8").replace(/\r\n/g, "\n");
  const committed = readFileSync(GENERATED, "utf8").replace(/\r\n/g, "\n");
  if (expected !== committed) {
    const a = committed.split("\n");
    const b = expected.split("\n");
    let line = 0;
    while (line < a.length && line < b.length && a[line] === b[line]) line++;
    fail(
      [
        `${shown(GENERATED)} is out of date with ${shown(DOCUMENT)} (the server's API).`,
        `First difference at line ${line + 1}:`,
        `  committed:   ${a[line] ?? "(end of file)"}`,
        `  regenerated: ${b[line] ?? "(end of file)"}`,
        "Run `npm run generate:types -w @hallpass/client` (in clients/js), then `npm run typecheck -w @hallpass/client`",
        "and the tests, fix the client where the types changed, and commit the regenerated file.",
      ].join("\n"),
    );
  }
  console.log(`${shown(GENERATED)} matches ${shown(DOCUMENT)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
