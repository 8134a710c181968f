// Interop proof: seals made by the npm package iron-webcrypto (pinned in package-lock.json) open
// with `hallpass unseal`, and seals made by `hallpass seal` open with iron-webcrypto, for both
// algorithms, both iteration counts and password maps (docs/API.md §7.1); tampered and expired
// seals are refused with exit code 1.
//
// Runs the real binary: HALLPASS_BIN, else ../../target/debug/hallpass (build it first with
// `cargo build -p hallpass-cli`). Run with `node --test test.mjs`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as Iron from "iron-webcrypto";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.HALLPASS_BIN || resolve(here, "../../target/debug/hallpass");
const PASSWORD = "a-password-of-at-least-32-characters!";
const PASSWORDS = {
  old: "the-old-password-of-32-characters-or-more",
  new: "the-new-password-of-32-characters-or-more",
};
const VALUE = { id: "2f1c3a0e-7d4b-4e8a-9a55-0c6f1d2e3b4a", createdAt: 1764500000000, data: { user: "zoë", roles: ["a", "b"], n: 1.5 } };

let work;
let passwordFile;
let mapFile;

before(() => {
  assert.ok(existsSync(BIN), `hallpass binary not found at ${BIN} (set HALLPASS_BIN or build it)`);
  work = mkdtempSync(join(tmpdir(), "hallpass-iron-"));
  passwordFile = join(work, "password.txt");
  writeFileSync(passwordFile, PASSWORD + "\n");
  mapFile = join(work, "passwords.json");
  writeFileSync(mapFile, JSON.stringify(PASSWORDS));
});

after(() => rmSync(work, { recursive: true, force: true }));

/** Runs `hallpass <args>` with `input` on stdin. */
function hallpass(args, input) {
  const run = spawnSync(BIN, args, { input, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

function ironOptions(algorithm, iterations, ttl = 0) {
  return {
    ...Iron.defaults,
    ttl,
    encryption: { ...Iron.defaults.encryption, algorithm, iterations },
    integrity: { ...Iron.defaults.integrity, iterations },
  };
}

for (const algorithm of ["aes-256-cbc", "aes-128-ctr"]) {
  for (const iterations of [1, 8192]) {
    const flags = ["--algorithm", algorithm, "--iterations", String(iterations)];

    test(`iron-webcrypto seals, hallpass unseals (${algorithm}, ${iterations} iterations)`, async () => {
      const sealed = await Iron.seal(VALUE, PASSWORD, ironOptions(algorithm, iterations));
      const out = hallpass(["unseal", "--password-file", passwordFile, ...flags], sealed);
      assert.equal(out.status, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout), VALUE);
    });

    test(`hallpass seals, iron-webcrypto unseals (${algorithm}, ${iterations} iterations)`, async () => {
      const out = hallpass(["seal", "--password-file", passwordFile, ...flags], JSON.stringify(VALUE));
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stdout, /^Fe26\.2\*\*[0-9a-f]{64}\*/);
      assert.deepEqual(await Iron.unseal(out.stdout, PASSWORD, ironOptions(algorithm, iterations)), VALUE);
    });
  }
}

test("password maps: each side opens the other's seal by its password id", async () => {
  const byIron = await Iron.seal(VALUE, { id: "old", secret: PASSWORDS.old }, Iron.defaults);
  const opened = hallpass(["unseal", "--password-file", mapFile], byIron);
  assert.equal(opened.status, 0, opened.stderr);
  assert.deepEqual(JSON.parse(opened.stdout), VALUE);

  const byHallpass = hallpass(["seal", "--password-file", mapFile, "--password-id", "new"], JSON.stringify(VALUE));
  assert.equal(byHallpass.status, 0, byHallpass.stderr);
  assert.match(byHallpass.stdout, /^Fe26\.2\*new\*/);
  assert.deepEqual(await Iron.unseal(byHallpass.stdout, PASSWORDS, Iron.defaults), VALUE);
});

test("a seal with a ttl carries its expiry in milliseconds, as iron's", async () => {
  const before = Date.now();
  const out = hallpass(["seal", "--password-file", passwordFile, "--ttl", "3600"], JSON.stringify(VALUE));
  assert.equal(out.status, 0, out.stderr);
  const expiry = Number(out.stdout.split("*")[5]);
  assert.ok(expiry >= before + 3600_000 && expiry <= Date.now() + 3600_000, `${expiry}`);
  assert.deepEqual(await Iron.unseal(out.stdout, PASSWORD, Iron.defaults), VALUE);
});

test("a wrong password, a tampered field and an expired seal exit 1 with a clear message", async () => {
  const sealed = await Iron.seal(VALUE, PASSWORD, Iron.defaults);
  const wrong = join(work, "wrong.txt");
  writeFileSync(wrong, "another-password-of-32-characters-min");
  const badPassword = hallpass(["unseal", "--password-file", wrong], sealed);
  assert.equal(badPassword.status, 1);
  assert.match(badPassword.stderr, /wrong password, or it was altered/);

  const parts = sealed.split("*");
  for (const i of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const altered = [...parts];
    altered[i] = i === 5 ? "1" : altered[i].slice(0, -1) + (altered[i].endsWith("A") ? "B" : "A");
    const out = hallpass(["unseal", "--password-file", passwordFile], altered.join("*"));
    assert.equal(out.status, 1, `field ${i}: ${out.stdout}`);
    assert.match(out.stderr, /^error: /, `field ${i}`);
  }

  const expired = await Iron.seal(VALUE, PASSWORD, { ...Iron.defaults, ttl: 1, localtimeOffsetMsec: -120_000 });
  const out = hallpass(["unseal", "--password-file", passwordFile], expired);
  assert.equal(out.status, 1);
  assert.match(out.stderr, /expired/);
});
