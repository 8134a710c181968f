// 429 rate_limited from the real server (its own, since the limit is per client address):
// failed authentications beyond the burst (100) are refused with Retry-After.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import { Hallpass, HallpassError } from "../src/index.js";
import { expectHallpassError } from "./helpers.js";

let server: RunningHallpass;

beforeAll(async () => {
  server = await startHallpass();
});

afterAll(async () => {
  await server?.stop();
});

it("rate_limited (429) with retryAfter after too many unknown keys", async () => {
  const bad = new Hallpass({ url: server.url, accessKey: "hp_sk_guessing-0000000000000000000000000000" });
  // The bucket holds 100 failures and refills at 2 per second, so a loaded machine may need
  // a few more than 100 attempts.
  let attempts = 0;
  let error: HallpassError | undefined;
  while (attempts < 300) {
    attempts += 1;
    error = (await bad.sessions.verify({ tag: "user-session", token: "t" }).catch((e: unknown) => e)) as HallpassError;
    if (error.code !== "unauthorized") break;
  }
  expect(attempts).toBeGreaterThan(100);
  await expectHallpassError(Promise.reject(error), "rate_limited", 429);
  expect(error!.retryAfter).toBeGreaterThanOrEqual(1);
});
