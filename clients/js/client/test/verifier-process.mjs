// A separate Node process with its own verifier (the built package, as an application would
// import it): node verifier-process.mjs <url> <access key>. Prints "ready" after the feed's first
// snapshot, then answers each token read from stdin with one line of JSON: {"ok": true} or
// {"ok": false, "code"}.
import { createInterface } from "node:readline";
import { createVerifier } from "../dist/verifier.js";

const [url, accessKey] = process.argv.slice(2);
const verifier = createVerifier({ url, product: "demo", env: "dev", accessKey });
await verifier.ready();
process.stdout.write("ready\n");
for await (const token of createInterface({ input: process.stdin })) {
  try {
    await verifier.verify(token, { tag: "user-session" });
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, code: error.code })}\n`);
  }
}
verifier.close();
