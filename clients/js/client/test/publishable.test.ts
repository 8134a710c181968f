// With a publishable key every session and session-type method rejects with
// publishable_key_forbidden (403) and sends nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import { Hallpass, HallpassError } from "../src/index.js";
import { countingFetch, expectHallpassError } from "./helpers.js";

let server: RunningHallpass;

beforeAll(async () => {
  server = await startHallpass();
});

afterAll(async () => {
  await server?.stop();
});

const tag = "user-session";
const calls: [string, (hp: Hallpass) => Promise<unknown>][] = [
  ["sessions.start", (hp) => hp.sessions.start({ tag, data: { userId: "u", email: "e@example.com" } })],
  ["sessions.verify", (hp) => hp.sessions.verify({ tag, token: "t" })],
  ["sessions.verify (maxAuthAge)", (hp) => hp.sessions.verify({ tag, token: "t", maxAuthAge: 60 })],
  ["sessions.verifyOrRefresh", (hp) => hp.sessions.verifyOrRefresh({ tag, token: "t", refreshToken: "hp_rt_x" })],
  ["sessions.refresh", (hp) => hp.sessions.refresh({ tag, refreshToken: "hp_rt_x" })],
  ["sessions.revoke", (hp) => hp.sessions.revoke({ tag, sessionId: "s" })],
  ["sessions.revokeAll", (hp) => hp.sessions.revokeAll({ tag, identifier: "u" })],
  ["sessions.list", (hp) => hp.sessions.list({ tag, identifier: "u" })],
  ["sessions.update", (hp) => hp.sessions.update({ tag, sessionId: "s", data: { role: "admin" } })],
  ["sessions.updateAll", (hp) => hp.sessions.updateAll({ tag, identifier: "u", data: { role: "admin" } })],
  ["sessions.reauthenticate", (hp) => hp.sessions.reauthenticate({ tag, sessionId: "s", amr: ["pwd"] })],
  ["sessionTypes.create", (hp) => hp.sessionTypes.create({ tag: "t2", name: "T", expiry: 1, period: "hours" })],
  ["sessionTypes.update(tag, patch)", (hp) => hp.sessionTypes.update(tag, { expiry: 2 })],
  ["sessionTypes.update(patch)", (hp) => hp.sessionTypes.update({ tag, expiry: 2 })],
  ["sessionTypes.fetch", (hp) => hp.sessionTypes.fetch(tag)],
  ["sessionTypes.fetchAll", (hp) => hp.sessionTypes.fetchAll()],
  ["sessionTypes.delete", (hp) => hp.sessionTypes.delete(tag, { force: true })],
];

describe("publishable key", () => {
  for (const [name, call] of calls) {
    it(`${name} rejects with publishable_key_forbidden and sends no request`, async () => {
      const counting = countingFetch();
      const hp = new Hallpass({ url: server.url, publishableKey: server.publishableKey, fetch: counting.fetch });
      expect(hp.usesPublishableKey).toBe(true);
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call(hp);
      }, "rejects rather than throwing synchronously").not.toThrow();
      const error = await expectHallpassError(promise!, "publishable_key_forbidden", 403);
      expect(error.message).toContain("access key");
      expect(counting.sent).toHaveLength(0);
    });
  }

  it("a publishable key passed as accessKey is refused the same way, before sending", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.publishableKey, fetch: counting.fetch });
    await expectHallpassError(hp.sessions.verify({ tag, token: "t" }), "publishable_key_forbidden", 403);
    await expectHallpassError(hp.sessions.update({ tag, sessionId: "s", data: {} }), "publishable_key_forbidden", 403);
    await expectHallpassError(hp.sessions.verifyOrRefresh({ tag, token: "t", refreshToken: "hp_rt_x" }), "publishable_key_forbidden", 403);
    expect(counting.sent).toHaveLength(0);
  });

  it("the client's refusal of update matches the server's own answer to a publishable key", async () => {
    const response = await fetch(`${server.url}/v1/sessions/update`, {
      method: "POST",
      headers: { Authorization: `Bearer ${server.publishableKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ tag, sessionId: "s", data: {} }),
    });
    const body = (await response.json()) as { error: { code: string; message: string; status: number } };
    const hp = new Hallpass({ url: server.url, publishableKey: server.publishableKey });
    const error = (await hp.sessions.update({ tag, sessionId: "s", data: {} }).catch((e: unknown) => e)) as HallpassError;
    expect(body.error).toEqual({ code: error.code, message: error.message, status: error.status });
  });

  it("the client's refusal matches the server's own answer to a publishable key", async () => {
    const response = await fetch(`${server.url}/v1/sessions/verify`, {
      method: "POST",
      headers: { Authorization: `Bearer ${server.publishableKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ tag, token: "t" }),
    });
    const body = (await response.json()) as { error: { code: string; message: string; status: number } };
    const hp = new Hallpass({ url: server.url, publishableKey: server.publishableKey });
    const error = (await hp.sessions.verify({ tag, token: "t" }).catch((e: unknown) => e)) as HallpassError;
    expect(body.error).toEqual({ code: error.code, message: error.message, status: error.status });
    expect(response.status).toBe(403);
  });
});
