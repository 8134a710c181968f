// The session lifecycle composables against a real server: useSessionUpdate, useSessionUpdateAll,
// useSessionReauthenticate and useSessionVerify's maxAuthAge, every error the server answers
// them, and what they tell the plugin's session memory.
import { Hallpass, HallpassError } from "@hallpass/client";
import { beforeAll, describe, expect, test } from "vitest";
import { defineComponent, h } from "vue";
import {
  useSessionAutoRefresh,
  useSessionReauthenticate,
  useSessionStart,
  useSessionUpdate,
  useSessionUpdateAll,
  useSessionVerify,
  type HallpassPlugin,
  type UseSessionAutoRefreshReturn,
  type UseSessionReauthenticateReturn,
  type UseSessionStartReturn,
  type UseSessionUpdateAllReturn,
  type UseSessionUpdateReturn,
  type UseSessionVerifyReturn,
} from "../src/index.js";
import { mountWith, newUser, realDelay, startSession, testClient, useServer } from "./support.js";

const server = useServer();
const tag = "user-session";
const NO_SUCH_SESSION = "01NOSUCHSESSION0000000000";

beforeAll(async () => {
  // Session types are shared by every env: the key of every env creates them.
  const types = new Hallpass({ url: server.current.url, accessKey: server.current.productKey });
  await types.sessionTypes.create({ tag: "single-refuse", name: "One at a time", expiry: 1, period: "hours", maxSessions: 1, onLimit: "refuse" });
});

interface Exposed {
  start: UseSessionStartReturn;
  verify: UseSessionVerifyReturn;
  update: UseSessionUpdateReturn;
  updateAll: UseSessionUpdateAllReturn;
  reauthenticate: UseSessionReauthenticateReturn;
  auto: UseSessionAutoRefreshReturn;
}

/** A component with every lifecycle composable (and an auto-refresh that is not started). */
function setup(): { client: Hallpass; plugin: HallpassPlugin } & Exposed {
  const { client, plugin } = testClient(server.current);
  const exposed = {} as Exposed;
  const component = defineComponent({
    setup() {
      exposed.start = useSessionStart();
      exposed.verify = useSessionVerify();
      exposed.update = useSessionUpdate();
      exposed.updateAll = useSessionUpdateAll();
      exposed.reauthenticate = useSessionReauthenticate();
      exposed.auto = useSessionAutoRefresh({ tag, refreshToken: "" });
      return () => h("div");
    },
  });
  mountWith(component, plugin);
  return { client, plugin, ...exposed };
}

async function login(start: UseSessionStartReturn, extra: Record<string, unknown> = {}) {
  const user = newUser();
  const result = await start.mutateAsync({ tag, data: { ...user, ...extra }, identifier: user.userId });
  return { user, ...result };
}

describe("useSessionUpdate", () => {
  test("the old token is superseded: useSessionVerify answers token_superseded; the new token carries the change", async () => {
    const t = setup();
    const session = await login(t.start, { role: "user" });
    const updated = await t.update.mutateAsync({ tag, sessionId: session.sessionId, data: { role: "admin" } });
    expect(t.update.data.value).toBe(updated);
    expect(updated.data).toEqual({ ...session.user, role: "admin" });
    expect(await t.verify.mutate({ tag, token: session.token })).toBeUndefined();
    expect(t.verify.error.value).toBeInstanceOf(HallpassError);
    expect(t.verify.error.value).toMatchObject({ code: "token_superseded", status: 401 });
    expect((await t.verify.mutateAsync({ tag, token: updated.token })).data.role).toBe("admin");
  });

  test("session_revoked, schema_violation (nothing changed), invalid_request", async () => {
    const t = setup();
    const revoked = await login(t.start);
    await t.client.sessions.revoke({ tag, sessionId: revoked.sessionId });
    await t.update.mutate({ tag, sessionId: revoked.sessionId, data: { role: "x" } });
    expect(t.update.error.value).toMatchObject({ code: "session_revoked", status: 401 });

    const session = await login(t.start);
    await t.update.mutate({ tag, sessionId: session.sessionId, data: { email: null } });
    expect(t.update.error.value).toMatchObject({ code: "schema_violation", status: 422 });
    expect(t.update.data.value).toBeNull();
    expect((await t.verify.mutateAsync({ tag, token: session.token })).data).toEqual(session.user);

    await t.update.mutate({ tag, sessionId: session.sessionId, data: "x" as never });
    expect(t.update.error.value).toMatchObject({ code: "invalid_request", status: 422 });
  });

  test("of the app's session: the plugin's memory takes the new token (same refresh token); an auto-refresh started then holds it", async () => {
    const t = setup();
    const session = await login(t.start);
    const updated = await t.update.mutateAsync({ tag, sessionId: session.sessionId, data: { role: "admin" } });
    const latest = t.plugin.context.sessions.latest(tag)!;
    expect(latest).toMatchObject({ sessionId: session.sessionId, token: updated.token, refreshToken: session.refreshToken, expiresAt: updated.expiresAt });
    t.auto.start();
    expect(t.auto.currentToken.value).toBe(updated.token);
    t.auto.stop();
  });

  test("of another session: the plugin's memory keeps the app's own", async () => {
    const t = setup();
    const own = await login(t.start);
    const other = await startSession(t.client);
    await t.update.mutateAsync({ tag, sessionId: other.sessionId, data: { role: "admin" } });
    expect(t.plugin.context.sessions.latest(tag)?.token).toBe(own.token);
  });
});

describe("useSessionUpdateAll", () => {
  test("updatedCount; schema_violation changes nothing; invalid_request", async () => {
    const t = setup();
    const session = await login(t.start);
    await startSession(t.client, session.user);
    expect(await t.updateAll.mutateAsync({ tag, identifier: session.user.userId, data: { role: "admin" } })).toEqual({ updatedCount: 2 });
    await t.verify.mutate({ tag, token: session.token });
    expect(t.verify.error.value?.code).toBe("token_superseded");

    const other = await login(t.start);
    await t.updateAll.mutate({ tag, identifier: other.user.userId, data: { email: null } });
    expect(t.updateAll.error.value).toMatchObject({ code: "schema_violation", status: 422 });
    expect((await t.verify.mutateAsync({ tag, token: other.token })).data).toEqual(other.user);
    await t.updateAll.mutate({ tag, data: { role: "x" } } as never);
    expect(t.updateAll.error.value).toMatchObject({ code: "invalid_request", status: 422 });
  });
});

describe("useSessionReauthenticate and useSessionVerify's maxAuthAge", () => {
  test("reauthentication_required for an old authentication; the step-up token passes and becomes the app's token", async () => {
    const t = setup();
    const session = await login(t.start);
    await realDelay(1_100);
    await t.verify.mutate({ tag, token: session.token, maxAuthAge: 0 });
    expect(t.verify.error.value).toMatchObject({ code: "reauthentication_required", status: 401 });
    const stepUp = await t.reauthenticate.mutateAsync({ tag, sessionId: session.sessionId, amr: ["pwd", "otp"] });
    expect(t.reauthenticate.data.value).toBe(stepUp);
    const verified = await t.verify.mutateAsync({ tag, token: stepUp.token, maxAuthAge: 0 });
    expect(verified.amr).toEqual(["pwd", "otp"]);
    expect(Date.parse(verified.authenticatedAt)).toBeGreaterThan(Date.parse(session.expiresAt) - 3600_000);
    expect(t.plugin.context.sessions.latest(tag)?.token).toBe(stepUp.token);
    // The older token stays valid (only older in its authentication).
    expect((await t.verify.mutateAsync({ tag, token: session.token })).sessionId).toBe(session.sessionId);
  });

  test("session_revoked, invalid_request (amr)", async () => {
    const t = setup();
    const revoked = await login(t.start);
    await t.client.sessions.revoke({ tag, sessionId: revoked.sessionId });
    await t.reauthenticate.mutate({ tag, sessionId: revoked.sessionId });
    expect(t.reauthenticate.error.value).toMatchObject({ code: "session_revoked", status: 401 });
    const session = await login(t.start);
    await t.reauthenticate.mutate({ tag, sessionId: session.sessionId, amr: [] });
    expect(t.reauthenticate.error.value).toMatchObject({ code: "invalid_request", status: 422 });
    await t.reauthenticate.mutate({ tag, sessionId: NO_SUCH_SESSION });
    expect(t.reauthenticate.error.value).toMatchObject({ code: "session_not_found", status: 404 });
  });
});

describe("useSessionStart with a session limit", () => {
  test("session_limit_reached (409) beyond maxSessions with onLimit refuse", async () => {
    const t = setup();
    const user = newUser();
    await t.start.mutateAsync({ tag: "single-refuse", data: user, identifier: user.userId, amr: ["pwd"] });
    expect(await t.start.mutate({ tag: "single-refuse", data: user, identifier: user.userId })).toBeUndefined();
    expect(t.start.error.value).toMatchObject({ code: "session_limit_reached", status: 409 });
  });
});
