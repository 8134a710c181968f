// Generates src/generated/openapi.ts from the server's OpenAPI document (docs/openapi.json at
// the repository root, which a Rust test keeps equal to what the server serves at
// /v1/openapi.json). Shared by generate-types.mjs (writes the file) and
// check-generated-types.mjs (the CI drift check).
//
// The output is exactly what the openapi-typescript CLI prints for the document
// (`openapi-typescript docs/openapi.json`), with one exception: OpenAPI requires operationIds to
// be unique, and when the document repeats one (the browser `refresh` and the session
// `refresh`, say), the generated `operations` interface would declare the same property twice
// and fail to compile. Such ids are renamed here to `<first tag>_<operationId>` (a warning
// names them); a document with unique ids is passed through unchanged.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));

/** The server's OpenAPI document. */
export const DOCUMENT = resolve(here, "../../../../docs/openapi.json");
/** The generated types the client imports. */
export const GENERATED = resolve(here, "../src/generated/openapi.ts");

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Renames repeated operationIds in place; answers the renames made. */
export function uniqueOperationIds(document) {
  const operations = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (operation && typeof operation.operationId === "string") operations.push({ path, method, operation });
    }
  }
  const counts = new Map();
  for (const { operation } of operations) counts.set(operation.operationId, (counts.get(operation.operationId) ?? 0) + 1);
  const renames = [];
  for (const { path, method, operation } of operations) {
    if (counts.get(operation.operationId) < 2) continue;
    const tag = String(operation.tags?.[0] ?? method).replace(/[^A-Za-z0-9]+/g, "_");
    const renamed = `${tag}_${operation.operationId}`;
    renames.push(`${method.toUpperCase()} ${path}: ${operation.operationId} → ${renamed}`);
    operation.operationId = renamed;
  }
  return renames;
}

/** The generated TypeScript for the document, and the operationIds that had to be renamed. */
export async function generateTypes(documentPath = DOCUMENT) {
  const document = JSON.parse(readFileSync(documentPath, "utf8"));
  const renames = uniqueOperationIds(document);
  const ast = await openapiTS(document, { silent: true });
  return { source: `${COMMENT_HEADER}${astToString(ast)}`, renames };
}

/** Prints the renames as a warning (the server's document should have unique operationIds). */
export function warnRenames(renames) {
  if (renames.length === 0) return;
  console.warn(
    `warning: docs/openapi.json repeats operationIds (OpenAPI requires them to be unique); renamed for the generated types:\n  ${renames.join("\n  ")}`,
  );
}
