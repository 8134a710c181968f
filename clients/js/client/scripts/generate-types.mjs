// `npm run generate:types`: writes src/generated/openapi.ts from docs/openapi.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { DOCUMENT, GENERATED, generateTypes, warnRenames } from "./openapi-types.mjs";

const { source, renames } = await generateTypes();
warnRenames(renames);
mkdirSync(dirname(GENERATED), { recursive: true });
writeFileSync(GENERATED, source);
console.log(`${relative(process.cwd(), DOCUMENT)} → ${relative(process.cwd(), GENERATED)}`);
