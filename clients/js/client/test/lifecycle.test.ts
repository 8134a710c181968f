// The session lifecycle against a real server: update, updateAll, reauthenticate, verify's
// maxAuthAge and its new fields, start's amr, session types with idleTimeout / maxSessions /
// onLimit, and verifyOrRefresh (a superseded token refreshed once).
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import {
  Hallpass,
  HallpassError,
  type FetchLike,
  type ISessionRefreshResult,
  type ISessionUpdateResult,
  type ISessionVerifyOrRefreshResult,
  type SessionRefreshedEvent,
} from "../src/index.js";
import { countingFetch, expectHallpassError, expectWireShape, sleep, unique, userData } from "./helpers.js";

let server: RunningHallpass;
let hallpass: Hallpass;
const tag = "user-session";
const NO_SUCH_SESSION = "01NOSUCHSESSION0000000000";

interface UserSessionData {
  userId: string;
  email: string;
  role?: string;
  plan?: string;
}

beforeAll(async () => {
  server = await startHallpass();
  hallpass = new Hallpass({ url: server.url, accessKey: server.accessKey });
  // Session types are shared by every env: the key of every env creates them.
  const types = new Hallpass({ url: server.url, accessKey: server.productKey });
  await types.sessionTypes.create({ tag: "single-refuse", name: "One at a time, refuse", expiry: 1, period: "hours", maxSessions: 1, onLimit: "refuse" });
  await types.sessionTypes.create({ tag: "single-latest", name: "One at a time, newest wins", expiry: 1, period: "hours", maxSessions: 1 });
  // A token may not outlive the idle timeout, so its lifetime is at most that.
  await types.sessionTypes.create({ tag: "idle-session", name: "Idle after 2 minutes", expiry: 1, period: "minutes", idleTimeout: 120 });
});

afterAll(async () => {
  await server?.stop();
});

/** Starts a user-session for a fresh user. */
async function login(extra: Record<string, unknown> = {}, amr?: string[]) {
  const userId = unique("life");
  const data = userData(userId, extra);
  const session = await hallpass.sessions.start({ tag, data, ...(amr ? { amr } : {}) });
  return { userId, data, ...session };
}

describe("sessions.update", () => {
  it("merges by default (a null removes a key), answers a fresh token; older tokens are superseded", async () => {
    const session = await login({ role: "user", plan: "free" });
    const before = Date.now();
    const updated = await hallpass.sessions.update<UserSessionData>({ tag, sessionId: session.sessionId, data: { role: "admin", plan: null } });
    expectWireShape(updated, "UpdateResponse");
    expectTypeOf(updated).toEqualTypeOf<ISessionUpdateResult<UserSessionData>>();
    expect(updated).toMatchObject({ sessionId: session.sessionId, tag, identifier: session.userId });
    expect(updated.data).toEqual({ userId: session.userId, email: session.data.email, role: "admin" });
    expect(updated.token).not.toBe(session.token);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(updated.expiresAt)).toBeGreaterThan(Date.now() + 3500_000);

    const fresh = await hallpass.sessions.verify<UserSessionData>({ tag, token: updated.token });
    expect(fresh.data).toEqual(updated.data);
    const old = await expectHallpassError(hallpass.sessions.verify({ tag, token: session.token }), "token_superseded", 401);
    expect(old.message).toBeTruthy();
  });

  it("merge: false replaces the data", async () => {
    const session = await login({ role: "user", plan: "pro" });
    const replaced = await hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { userId: session.userId, email: "new@example.com" }, merge: false });
    expect(replaced.data).toEqual({ userId: session.userId, email: "new@example.com" });
    expect((await hallpass.sessions.verify({ tag, token: replaced.token })).data).toEqual(replaced.data);
  });

  it("the refresh token keeps working, and the refresh carries the new data (how a change reaches another device)", async () => {
    const session = await login({ role: "user" });
    await hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { role: "admin" } });
    const refreshed = await hallpass.sessions.refresh({ tag, refreshToken: session.refreshToken });
    expect(refreshed.sessionId).toBe(session.sessionId);
    const verified = await hallpass.sessions.verify({ tag, token: refreshed.token });
    expect(verified.data.role).toBe("admin");
  });

  it("sends tag, sessionId, data, merge, and the client's product/env", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, product: "demo", env: "dev", fetch: counting.fetch });
    const session = await login();
    await hp.sessions.update({ tag, sessionId: session.sessionId, data: { role: "x" }, merge: true });
    expect(counting.sent.map((r) => [r.method, r.url.pathname, r.body])).toEqual([
      ["POST", "/v1/sessions/update", { tag, sessionId: session.sessionId, data: { role: "x" }, merge: true, product: "demo", env: "dev" }],
    ]);
  });

  it("session_not_found, session_revoked, schema_violation (nothing changed), invalid_request, session_type_not_found", async () => {
    await expectHallpassError(hallpass.sessions.update({ tag, sessionId: NO_SUCH_SESSION, data: { role: "x" } }), "session_not_found", 404);

    const revoked = await login();
    await hallpass.sessions.revoke({ tag, sessionId: revoked.sessionId });
    await expectHallpassError(hallpass.sessions.update({ tag, sessionId: revoked.sessionId, data: { role: "x" } }), "session_revoked", 401);

    const session = await login();
    // The dev type's schema requires email (a string): removing it or giving a number is refused.
    const violation = await expectHallpassError(hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { email: null } }), "schema_violation", 422);
    expect(violation.message).toContain("email");
    await expectHallpassError(hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { email: 42 } }), "schema_violation", 422);
    // Nothing changed: the token still verifies (not superseded), with its data.
    expect((await hallpass.sessions.verify({ tag, token: session.token })).data).toEqual(session.data);

    await expectHallpassError(hallpass.sessions.update({ tag, sessionId: session.sessionId, data: [1, 2] as never }), "invalid_request", 422);
    await expectHallpassError(hallpass.sessions.update({ tag, data: { role: "x" } } as never), "invalid_request", 422);
    await expectHallpassError(hallpass.sessions.update({ tag: "no-such-type", sessionId: session.sessionId, data: {} }), "session_type_not_found", 404);
  });
});

describe("sessions.updateAll", () => {
  it("changes every active session of the identifier: their old tokens are superseded, refreshes carry the change", async () => {
    const userId = unique("all");
    const laptop = await hallpass.sessions.start({ tag, data: userData(userId, { role: "user" }) });
    const phone = await hallpass.sessions.start({ tag, data: userData(userId, { role: "user" }) });
    const other = await login({ role: "user" });

    const result = await hallpass.sessions.updateAll({ tag, identifier: userId, data: { role: "admin" } });
    expectWireShape(result, "UpdateAllResponse");
    expect(result).toEqual({ updatedCount: 2 });
    for (const device of [laptop, phone]) {
      await expectHallpassError(hallpass.sessions.verify({ tag, token: device.token }), "token_superseded", 401);
      const refreshed = await hallpass.sessions.refresh({ tag, refreshToken: device.refreshToken });
      expect((await hallpass.sessions.verify({ tag, token: refreshed.token })).data.role).toBe("admin");
    }
    // Another user's session is untouched.
    expect((await hallpass.sessions.verify({ tag, token: other.token })).data.role).toBe("user");
    expect(await hallpass.sessions.updateAll({ tag, identifier: unique("nobody"), data: { role: "x" } })).toEqual({ updatedCount: 0 });
  });

  it("merge: false replaces every session's data", async () => {
    const userId = unique("all-replace");
    const session = await hallpass.sessions.start({ tag, data: userData(userId, { role: "user", plan: "pro" }) });
    expect(await hallpass.sessions.updateAll({ tag, identifier: userId, data: userData(userId), merge: false })).toEqual({ updatedCount: 1 });
    const refreshed = await hallpass.sessions.refresh({ tag, refreshToken: session.refreshToken });
    expect((await hallpass.sessions.verify({ tag, token: refreshed.token })).data).toEqual(userData(userId));
  });

  it("schema_violation changes nothing; invalid_request; session_type_not_found", async () => {
    const userId = unique("all-bad");
    const first = await hallpass.sessions.start({ tag, data: userData(userId) });
    await hallpass.sessions.start({ tag, data: userData(userId) });
    await expectHallpassError(hallpass.sessions.updateAll({ tag, identifier: userId, data: { email: null } }), "schema_violation", 422);
    expect((await hallpass.sessions.verify({ tag, token: first.token })).data).toEqual(userData(userId));
    await expectHallpassError(hallpass.sessions.updateAll({ tag, data: { role: "x" } } as never), "invalid_request", 422);
    await expectHallpassError(hallpass.sessions.updateAll({ tag, identifier: userId, data: "x" as never }), "invalid_request", 422);
    await expectHallpassError(hallpass.sessions.updateAll({ tag: "no-such-type", identifier: userId, data: {} }), "session_type_not_found", 404);
  });
});

describe("sessions.reauthenticate, verify's maxAuthAge, start's amr", () => {
  it("verify answers authenticatedAt, amr and idleExpiresAt (null without an idle timeout)", async () => {
    const before = Date.now();
    const plain = await login();
    const verified = await hallpass.sessions.verify({ tag, token: plain.token });
    expectWireShape(verified, "VerifyResponse");
    expect(Math.abs(Date.parse(verified.authenticatedAt) - before)).toBeLessThan(3_000);
    expect(verified.amr ?? null).toBeNull();
    expect(verified.idleExpiresAt ?? null).toBeNull();

    const withAmr = await login({}, ["pwd", "otp"]);
    expect((await hallpass.sessions.verify({ tag, token: withAmr.token })).amr).toEqual(["pwd", "otp"]);
    const tooMany = Array.from({ length: 17 }, (_, i) => `m${i}`);
    await expectHallpassError(hallpass.sessions.start({ tag, data: userData(unique("amr")), amr: tooMany }), "invalid_request", 422);
    await expectHallpassError(hallpass.sessions.start({ tag, data: userData(unique("amr")), amr: ["has space"] }), "invalid_request", 422);
  });

  it("maxAuthAge refuses an old authentication with reauthentication_required; reauthenticate answers a token that passes, older tokens stay valid", async () => {
    const session = await login({ role: "user" }, ["pwd"]);
    const first = await hallpass.sessions.verify({ tag, token: session.token, maxAuthAge: 3600 });
    await sleep(1_100);
    const refused = await expectHallpassError(hallpass.sessions.verify({ tag, token: session.token, maxAuthAge: 0 }), "reauthentication_required", 401);
    expect(refused.message).toContain("reauthenticate");

    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    const stepUp = await hp.sessions.reauthenticate({ tag, sessionId: session.sessionId, amr: ["pwd", "otp"] });
    expect(counting.sent.map((r) => [r.url.pathname, r.body])).toEqual([
      ["/v1/sessions/reauthenticate", { tag, sessionId: session.sessionId, amr: ["pwd", "otp"] }],
    ]);
    expectWireShape(stepUp, "UpdateResponse");
    expect(stepUp).toMatchObject({ sessionId: session.sessionId, tag, identifier: session.userId, data: session.data });
    expect(stepUp.token).not.toBe(session.token);

    const fresh = await hallpass.sessions.verify({ tag, token: stepUp.token, maxAuthAge: 0 });
    expect(fresh.amr).toEqual(["pwd", "otp"]);
    expect(Date.parse(fresh.authenticatedAt)).toBeGreaterThan(Date.parse(first.authenticatedAt));
    // The older token is not superseded (the data did not change); it keeps its older time.
    expect((await hallpass.sessions.verify({ tag, token: session.token })).sessionId).toBe(session.sessionId);
    await expectHallpassError(hallpass.sessions.verify({ tag, token: session.token, maxAuthAge: 0 }), "reauthentication_required", 401);
  });

  it("reauthenticate without amr keeps the methods", async () => {
    const session = await login({}, ["passkey"]);
    const stepUp = await hallpass.sessions.reauthenticate({ tag, sessionId: session.sessionId });
    expect((await hallpass.sessions.verify({ tag, token: stepUp.token })).amr).toEqual(["passkey"]);
  });

  it("session_not_found, session_revoked, invalid_request (amr), session_type_not_found", async () => {
    await expectHallpassError(hallpass.sessions.reauthenticate({ tag, sessionId: NO_SUCH_SESSION }), "session_not_found", 404);
    const revoked = await login();
    await hallpass.sessions.revoke({ tag, sessionId: revoked.sessionId });
    await expectHallpassError(hallpass.sessions.reauthenticate({ tag, sessionId: revoked.sessionId }), "session_revoked", 401);
    const session = await login();
    await expectHallpassError(hallpass.sessions.reauthenticate({ tag, sessionId: session.sessionId, amr: [] }), "invalid_request", 422);
    await expectHallpassError(hallpass.sessions.reauthenticate({ tag } as never), "invalid_request", 422);
    await expectHallpassError(hallpass.sessions.verify({ tag, token: session.token, maxAuthAge: -1 }), "invalid_request", 422);
    await expectHallpassError(hallpass.sessions.reauthenticate({ tag: "no-such-type", sessionId: session.sessionId }), "session_type_not_found", 404);
  });
});

describe("session types: maxSessions, onLimit, idleTimeout", () => {
  it("the new fields are answered (defaults: onLimit revoke_oldest, no limit, no idle timeout)", async () => {
    const types = new Hallpass({ url: server.url, accessKey: server.productKey });
    expect(await types.sessionTypes.fetch("single-refuse")).toMatchObject({ maxSessions: 1, onLimit: "refuse" });
    expect(await types.sessionTypes.fetch("idle-session")).toMatchObject({ idleTimeout: 120, onLimit: "revoke_oldest" });
    const dev = await types.sessionTypes.fetch(tag);
    expect(dev.onLimit).toBe("revoke_oldest");
    expect(dev.maxSessions ?? null).toBeNull();
    expect(dev.idleTimeout ?? null).toBeNull();
    await expectHallpassError(types.sessionTypes.update("idle-session", { idleTimeout: 10 }), "invalid_request", 422);
    await expectHallpassError(types.sessionTypes.update("single-refuse", { maxSessions: 0 }), "invalid_request", 422);
  });

  it("session_limit_reached (409) for a start beyond maxSessions with onLimit refuse; a free slot starts again", async () => {
    const userId = unique("limit");
    const first = await hallpass.sessions.start({ tag: "single-refuse", data: { userId }, identifier: userId });
    const error = await expectHallpassError(hallpass.sessions.start({ tag: "single-refuse", data: { userId }, identifier: userId }), "session_limit_reached", 409);
    expect(error.message).toBeTruthy();
    // Another user has a slot of their own.
    await hallpass.sessions.start({ tag: "single-refuse", data: { userId: `${userId}-b` }, identifier: `${userId}-b` });
    await hallpass.sessions.revoke({ tag: "single-refuse", sessionId: first.sessionId });
    await hallpass.sessions.start({ tag: "single-refuse", data: { userId }, identifier: userId });
  });

  it("onLimit revoke_oldest: the new start ends the oldest session", async () => {
    const userId = unique("latest");
    const first = await hallpass.sessions.start({ tag: "single-latest", data: { userId }, identifier: userId });
    const second = await hallpass.sessions.start({ tag: "single-latest", data: { userId }, identifier: userId });
    await expectHallpassError(hallpass.sessions.verify({ tag: "single-latest", token: first.token }), "session_revoked", 401);
    expect((await hallpass.sessions.verify({ tag: "single-latest", token: second.token })).sessionId).toBe(second.sessionId);
  });

  it("idleTimeout: verify and list answer idleExpiresAt", async () => {
    const userId = unique("idle");
    const before = Date.now();
    const session = await hallpass.sessions.start({ tag: "idle-session", data: { userId }, identifier: userId });
    const verified = await hallpass.sessions.verify({ tag: "idle-session", token: session.token });
    const idleAt = Date.parse(verified.idleExpiresAt!);
    expect(idleAt).toBeGreaterThanOrEqual(before + 110_000);
    expect(idleAt).toBeLessThanOrEqual(Date.now() + 125_000);
    const listed = await hallpass.sessions.list({ tag: "idle-session", identifier: userId });
    expectWireShape(listed.sessions[0], "SessionItem");
    expect(Date.parse(listed.sessions[0]!.idleExpiresAt!)).toBeGreaterThan(before + 110_000);
  });
});

describe("sessions.verifyOrRefresh", () => {
  it("a valid token: the verification and refreshed null, one request", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    const session = await login({ role: "user" });
    const result = await hp.sessions.verifyOrRefresh<UserSessionData>({ tag, token: session.token, refreshToken: session.refreshToken });
    expectTypeOf(result).toEqualTypeOf<ISessionVerifyOrRefreshResult<UserSessionData>>();
    expectTypeOf(result.data.role).toEqualTypeOf<string | undefined>();
    expect(result.refreshed).toBeNull();
    expect(result).toMatchObject({ sessionId: session.sessionId, data: session.data });
    expect(counting.sent.map((r) => [r.url.pathname, r.body])).toEqual([["/v1/sessions/verify", { tag, token: session.token }]]);
  });

  it("after an update: the old token refreshes once to the new data; the new pair is answered and works", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    const told: SessionRefreshedEvent[] = [];
    hp.sessions.onRefreshed((event) => told.push(event));
    const session = await login({ role: "user" });
    await hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { role: "admin" } });

    const result = await hp.sessions.verifyOrRefresh({ tag, token: session.token, refreshToken: session.refreshToken, maxAuthAge: 3600 });
    expect(result.data).toEqual({ ...session.data, role: "admin" });
    expect(result.sessionId).toBe(session.sessionId);
    const refreshed = result.refreshed!;
    expectWireShape(refreshed, "IssuedResponse");
    expectTypeOf(refreshed).toEqualTypeOf<ISessionRefreshResult>();
    expect(refreshed.refreshToken).not.toBe(session.refreshToken);
    expect(counting.sent.map((r) => [r.url.pathname, r.body])).toEqual([
      ["/v1/sessions/verify", { tag, token: session.token, maxAuthAge: 3600 }],
      ["/v1/sessions/refresh", { tag, refreshToken: session.refreshToken }],
      ["/v1/sessions/verify", { tag, token: refreshed.token, maxAuthAge: 3600 }],
    ]);
    // The refresh is told to onRefreshed listeners, as every refresh of the client is.
    expect(told).toHaveLength(1);
    expect(told[0]!.result).toEqual(refreshed);

    // The new pair is the session's now: its token verifies as is, its refresh token refreshes.
    const again = await hp.sessions.verifyOrRefresh({ tag, token: refreshed.token, refreshToken: refreshed.refreshToken });
    expect(again.refreshed).toBeNull();
    expect((await hp.sessions.refresh({ tag, refreshToken: refreshed.refreshToken })).sessionId).toBe(session.sessionId);
  });

  it("any other error is thrown as is, without a refresh (token_malformed, session_revoked)", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    const session = await login();
    await expectHallpassError(hp.sessions.verifyOrRefresh({ tag, token: "not-a-token", refreshToken: session.refreshToken }), "token_malformed", 401);
    await hallpass.sessions.revoke({ tag, sessionId: session.sessionId });
    await expectHallpassError(hp.sessions.verifyOrRefresh({ tag, token: session.token, refreshToken: session.refreshToken }), "session_revoked", 401);
    expect(counting.sent.map((r) => r.url.pathname)).toEqual(["/v1/sessions/verify", "/v1/sessions/verify"]);
  });

  it("a superseded token without a refresh token (null) throws token_superseded and sends no refresh", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    const session = await login();
    await hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { role: "x" } });
    const error = await expectHallpassError(hp.sessions.verifyOrRefresh({ tag, token: session.token, refreshToken: null }), "token_superseded", 401);
    expect(error.refreshed).toBeUndefined();
    expect(counting.sent.map((r) => r.url.pathname)).toEqual(["/v1/sessions/verify"]);
  });

  it("a failed refresh is thrown (refresh_token_invalid), with no pair", async () => {
    const session = await login();
    await hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { role: "x" } });
    const error = await expectHallpassError(
      hallpass.sessions.verifyOrRefresh({ tag, token: session.token, refreshToken: "hp_rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }),
      "refresh_token_invalid",
      401,
    );
    expect(error.refreshed).toBeUndefined();
  });

  it("superseded again after the refresh: throws token_superseded once (no second refresh), the new pair on error.refreshed", async () => {
    const session = await login({ role: "user" });
    await hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { role: "editor" } });
    // Another update lands between the refresh and the second verify.
    const updateAfterRefresh: FetchLike = async (input, init) => {
      const response = await fetch(input, init);
      if (new URL(input).pathname === "/v1/sessions/refresh") {
        await hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { role: "admin" } });
      }
      return response;
    };
    const counting = countingFetch(updateAfterRefresh);
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    const error = await expectHallpassError(
      hp.sessions.verifyOrRefresh({ tag, token: session.token, refreshToken: session.refreshToken }),
      "token_superseded",
      401,
    );
    expect(counting.sent.map((r) => r.url.pathname)).toEqual(["/v1/sessions/verify", "/v1/sessions/refresh", "/v1/sessions/verify"]);
    expect(error.message).toContain("error.refreshed");
    expect(HallpassError.is(error.cause)).toBe(true);
    // The pair the refresh got is kept for the caller, out of logs.
    const pair = error.refreshed!;
    expect(pair.sessionId).toBe(session.sessionId);
    expect(Object.keys(error)).not.toContain("refreshed");
    expect(JSON.stringify(error)).not.toContain(pair.refreshToken);
    // With it the caller goes on (without the fetch that updates after each refresh): the next
    // verifyOrRefresh gets the latest data.
    const next = await hallpass.sessions.verifyOrRefresh({ tag, token: pair.token, refreshToken: pair.refreshToken });
    expect(next.data.role).toBe("admin");
    expect(next.refreshed).not.toBeNull();
  });

  it("maxAuthAge refusing the refreshed token: reauthentication_required with the new pair on error.refreshed", async () => {
    const session = await login({ role: "user" });
    await sleep(1_100);
    await hallpass.sessions.update({ tag, sessionId: session.sessionId, data: { role: "admin" } });
    // A superseded token is answered token_superseded before its authentication age is looked at.
    const error = await expectHallpassError(
      hallpass.sessions.verifyOrRefresh({ tag, token: session.token, refreshToken: session.refreshToken, maxAuthAge: 0 }),
      "reauthentication_required",
      401,
    );
    const pair = error.refreshed!;
    expect(pair.sessionId).toBe(session.sessionId);
    const stepUp = await hallpass.sessions.reauthenticate({ tag, sessionId: session.sessionId });
    expect((await hallpass.sessions.verifyOrRefresh({ tag, token: stepUp.token, refreshToken: pair.refreshToken, maxAuthAge: 0 })).data.role).toBe("admin");
  });
});

describe("documented example: a role change reaching another device", () => {
  it("the admin's updateAll; the phone's next request verifies-or-refreshes to the new role", async () => {
    const userId = unique("promoted");
    // The phone's session; its backend keeps the pair (in cookies, say).
    const phone = await hallpass.sessions.start({ tag, data: userData(userId, { role: "user" }) });
    const cookies = { token: phone.token, refreshToken: phone.refreshToken };

    // The README's example, as written there.
    // An admin promotes the user, on every device:
    await hallpass.sessions.updateAll({ tag: "user-session", identifier: userId, data: { role: "admin" } });

    // The phone's next request, in its backend's auth middleware:
    const session = await hallpass.sessions.verifyOrRefresh({
      tag: "user-session",
      token: cookies.token,
      refreshToken: cookies.refreshToken,
    });
    if (session.refreshed) {
      // The old token was superseded: hand the new pair back (the old refresh token is spent).
      cookies.token = session.refreshed.token;
      cookies.refreshToken = session.refreshed.refreshToken;
    }
    session.data.role; // "admin"

    expect(session.data.role).toBe("admin");
    expect(cookies.token).not.toBe(phone.token);
    expect((await hallpass.sessions.verify({ tag, token: cookies.token })).data.role).toBe("admin");
    expect((await hallpass.sessions.refresh({ tag, refreshToken: cookies.refreshToken })).sessionId).toBe(phone.sessionId);
  });
});
