// iron-webcrypto's seal and unseal rates in Node, one after the other for SECONDS each, with
// the value, password and options of `hallpass-bench seal`; prints SUMMARY lines as it does.
//   node bench.mjs [seconds] [iterations]
import * as Iron from "iron-webcrypto";

const seconds = Number(process.argv[2] || 3);
const iterations = Number(process.argv[3] || 1);
const password = "a-password-of-at-least-32-characters!";
const value = {
  id: "2f1c3a0e-7d4b-4e8a-9a55-0c6f1d2e3b4a",
  createdAt: 1764500000000,
  data: { userId: "user-123", email: "user@example.com", roles: ["admin"] },
};
const options = {
  ...Iron.defaults,
  encryption: { ...Iron.defaults.encryption, iterations },
  integrity: { ...Iron.defaults.integrity, iterations },
};

/** Calls `op` (awaited, 100 at a time in sequence) for `seconds`; answers calls per second. */
async function rate(op) {
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  let calls = 0;
  while (performance.now() < until) {
    for (let i = 0; i < 100; i++) await op();
    calls += 100;
  }
  return calls / ((performance.now() - started) / 1000);
}

const sealed = await Iron.seal(value, password, options);
const sealRate = await rate(() => Iron.seal(value, password, options));
const unsealRate = await rate(() => Iron.unseal(sealed, password, options));
for (const [what, ops] of [["seal", sealRate], ["unseal", unsealRate]]) {
  console.log(
    `SUMMARY|${what}, iron-webcrypto (Node ${process.versions.node})|-|${iterations} iteration(s), ${seconds} s|${ops.toFixed(0)}|${(1e6 / ops).toFixed(1)} us each|-|-|iron-webcrypto 2.0.0`,
  );
}
