// useSessionAutoRefresh against a real server with fake setTimeout/clearTimeout/Date (the network
// stays real): exactly when the refresh request is sent, onRefresh/onError, stop(), restart,
// stop on unmount, and the session lifecycle (a new token from an update or reauthenticate; a
// superseded token refreshed at once).
import { HallpassError, type SessionRefreshResult } from "@hallpass/client";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { defineComponent, h, nextTick, ref, watch, type Ref } from "vue";
import {
  useSessionAutoRefresh,
  useSessionReauthenticate,
  useSessionRefresh,
  useSessionStart,
  useSessionUpdate,
  useSessionUpdateAll,
  useSessionVerify,
  type UseSessionAutoRefreshOptions,
  type UseSessionAutoRefreshReturn,
  type UseSessionReauthenticateReturn,
  type UseSessionRefreshReturn,
  type UseSessionStartReturn,
  type UseSessionUpdateAllReturn,
  type UseSessionUpdateReturn,
  type UseSessionVerifyReturn,
} from "../src/index.js";
import { countingFetch, mountWith, newUser, realDelay, startSession, testClient, until, useServer, type CountingFetch } from "./support.js";

const server = useServer();
const tag = "user-session";
const REFRESH = "/v1/sessions/refresh";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Advances the fake clock (and runs due timers) by `ms`. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(Math.max(0, ms));
}

/** Advances the fake clock to `at` (ms since the epoch) if it is in the future. */
async function advanceTo(at: number): Promise<void> {
  await advance(at - Date.now());
}

/** Gives a request that might have been sent time to show up (real time; there should be none). */
async function settle(): Promise<void> {
  await realDelay(60);
}

/**
 * A component with useSessionStart, useSessionRefresh and useSessionAutoRefresh, as the
 * `@ductape/vue` documentation combines them, and the lifecycle composables beside them.
 */
function setup(options: Partial<UseSessionAutoRefreshOptions> = {}, counter: CountingFetch = countingFetch()) {
  const { client, plugin } = testClient(server.current, counter);
  const refreshed: SessionRefreshResult[] = [];
  const errors: HallpassError[] = [];
  const exposed = {} as {
    auto: UseSessionAutoRefreshReturn;
    startSession: UseSessionStartReturn;
    refreshSession: UseSessionRefreshReturn;
    verify: UseSessionVerifyReturn;
    update: UseSessionUpdateReturn;
    updateAll: UseSessionUpdateAllReturn;
    reauthenticate: UseSessionReauthenticateReturn;
  };
  const component = defineComponent({
    setup() {
      exposed.auto = useSessionAutoRefresh({
        tag,
        refreshToken: "",
        onRefresh: (result) => void refreshed.push(result),
        onError: (error) => void errors.push(error),
        ...options,
      });
      exposed.startSession = useSessionStart();
      exposed.refreshSession = useSessionRefresh();
      exposed.verify = useSessionVerify();
      exposed.update = useSessionUpdate();
      exposed.updateAll = useSessionUpdateAll();
      exposed.reauthenticate = useSessionReauthenticate();
      return () => h("p", exposed.auto.isActive.value ? "active" : "inactive");
    },
  });
  const wrapper = mountWith(component, plugin);
  return { client, counter, refreshed, errors, wrapper, ...exposed };
}

/** Logs in through useSessionStart (so the app knows the session); answers the result. */
async function login(startSessionHook: UseSessionStartReturn, extra: { expiresIn?: number } = {}) {
  const user = newUser();
  const result = await startSessionHook.mutate({ tag, data: user, identifier: user.userId, ...extra });
  if (!result) throw new Error(`login failed: ${startSessionHook.error.value?.message}`);
  return result;
}

describe("useSessionAutoRefresh", () => {
  test("after a login in the app: refreshes exactly at expiresAt - refreshBefore, then again one token lifetime later", async () => {
    const t = setup({ refreshBefore: 120 });
    const session = await login(t.startSession);
    t.auto.start();
    expect(t.auto.isActive.value).toBe(true);
    expect(t.auto.currentToken.value).toBe(session.token);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);

    const due = Date.parse(session.expiresAt) - 120_000;
    await advanceTo(due - 1);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);

    await advance(1);
    await until(() => t.counter.count(REFRESH) === 1);
    await until(() => t.refreshed.length === 1);
    const first = t.refreshed[0]!;
    expect(first.sessionId).toBe(session.sessionId);
    expect(t.auto.currentToken.value).toBe(first.token);
    expect(t.auto.isActive.value).toBe(true);
    expect(t.errors).toEqual([]);
    expect(t.wrapper.text()).toBe("active");

    // The next refresh is one token lifetime (1 h) minus refreshBefore after this one (on the
    // fake clock, which is now ~58 min ahead of the server's: the skew is measured from the
    // token's iat and taken out).
    const refreshedAt = Date.now();
    await advanceTo(refreshedAt + 3600_000 - 120_000 - 5_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
    await advance(10_000);
    await until(() => t.refreshed.length === 2);
    expect(t.counter.count(REFRESH)).toBe(2);
    expect(t.refreshed[1]!.sessionId).toBe(session.sessionId);
    expect(t.auto.currentToken.value).toBe(t.refreshed[1]!.token);
    t.wrapper.unmount();
  });

  test("expiry unknown (a refresh token from storage): refreshes right away, then at expiresAt - refreshBefore (default 60 s)", async () => {
    const t0 = setup();
    // A session the app did not start (e.g. tokens in localStorage from an earlier page load).
    const stored = await startSession(t0.client);
    t0.wrapper.unmount();
    const refreshToken = ref(stored.refreshToken);
    const t = setup({ refreshToken });

    t.auto.start();
    expect(t.auto.isActive.value).toBe(true);
    expect(t.auto.currentToken.value).toBeNull();
    await until(() => t.refreshed.length === 1);
    expect(t.counter.count(REFRESH)).toBe(1);
    const first = t.refreshed[0]!;
    expect(first.sessionId).toBe(stored.sessionId);
    expect(first.refreshToken).not.toBe(stored.refreshToken);
    expect(t.auto.currentToken.value).toBe(first.token);

    const due = Date.parse(first.expiresAt) - 60_000;
    await advanceTo(due - 1);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
    await advance(2);
    await until(() => t.refreshed.length === 2);
    expect(t.counter.count(REFRESH)).toBe(2);
    // The second refresh spent the first's refresh token: the chain continues (no reuse).
    expect(t.refreshed[1]!.sessionId).toBe(stored.sessionId);
    expect(t.errors).toEqual([]);
    t.wrapper.unmount();
  });

  test("start() after the due time of the app's session (e.g. the tab slept): refreshes at once", async () => {
    const t = setup();
    const session = await login(t.startSession);
    await advanceTo(Date.parse(session.expiresAt) - 30_000);
    t.auto.start();
    await until(() => t.refreshed.length === 1);
    expect(t.counter.count(REFRESH)).toBe(1);
    expect(t.refreshed[0]!.sessionId).toBe(session.sessionId);
    expect(t.auto.isActive.value).toBe(true);
  });

  test("a failed refresh stops (isActive false), changes nothing else, and calls onError once", async () => {
    const t = setup({ refreshToken: () => "hp_rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    t.auto.start();
    expect(t.auto.isActive.value).toBe(true);
    await until(() => t.errors.length === 1);
    expect(t.errors[0]).toBeInstanceOf(HallpassError);
    expect(t.errors[0]!.code).toBe("refresh_token_invalid");
    expect(t.auto.isActive.value).toBe(false);
    expect(t.auto.currentToken.value).toBeNull();
    expect(t.refreshed).toEqual([]);
    await advance(2 * 3600_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
    expect(t.errors).toHaveLength(1);
  });

  test("a revoked session: the scheduled refresh fails with session_revoked and stops", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    await t.client.sessions.revoke({ tag, sessionId: session.sessionId });
    await advanceTo(Date.parse(session.expiresAt) - 60_000);
    await until(() => t.errors.length === 1);
    expect(t.errors[0]!.code).toBe("session_revoked");
    expect(t.auto.isActive.value).toBe(false);
    expect(t.auto.currentToken.value).toBe(session.token);
  });

  test("no refresh token at all: onError, inactive, nothing sent", async () => {
    const t = setup({ refreshToken: "" });
    t.auto.start();
    expect(t.auto.isActive.value).toBe(false);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toMatchObject({ code: "refresh_token_invalid", status: 0 });
    await settle();
    expect(t.counter.paths).toEqual([]);
  });

  test("stop() clears the timer: no request at or after the due time", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    t.auto.stop();
    expect(t.auto.isActive.value).toBe(false);
    await advanceTo(Date.parse(session.expiresAt) + 60_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
    expect(t.refreshed).toEqual([]);
    expect(t.errors).toEqual([]);
  });

  test("stops on unmount: no request after the component is gone", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    t.wrapper.unmount();
    expect(t.auto.isActive.value).toBe(false);
    await advanceTo(Date.parse(session.expiresAt) + 60_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
  });

  test("start() while active restarts: one timer, one refresh at the due time", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    t.auto.start();
    t.auto.start();
    expect(t.auto.isActive.value).toBe(true);
    await advanceTo(Date.parse(session.expiresAt) - 60_000);
    await until(() => t.refreshed.length === 1);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
  });

  test("a refresh elsewhere in the app (useSessionRefresh) is picked up: the spent refresh token is never presented again", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    await advance(30 * 60_000);
    const manual = await t.refreshSession.mutate({ tag, refreshToken: session.refreshToken });
    const manualAt = Date.now();
    expect(manual?.sessionId).toBe(session.sessionId);
    expect(t.counter.count(REFRESH)).toBe(1);
    // The client told the auto-refresh that the refresh token it holds was spent: it took the
    // new pair on at once (currentToken, onRefresh) without a request.
    expect(t.auto.currentToken.value).toBe(manual!.token);
    expect(t.refreshed).toEqual([manual]);

    // At the original due time the auto-refresh sees the newer pair and waits for its due time.
    await advanceTo(Date.parse(session.expiresAt) - 60_000 + 1);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
    expect(t.auto.currentToken.value).toBe(manual!.token);
    expect(t.auto.isActive.value).toBe(true);

    // The manual pair is due one lifetime (1 h) minus refreshBefore after it was obtained (on
    // the fake clock, which had moved 30 min ahead of the server's: the skew is taken out).
    await advanceTo(manualAt + 3600_000 - 60_000 - 1_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
    await advance(2_000);
    await until(() => t.refreshed.length === 2);
    expect(t.counter.count(REFRESH)).toBe(2);
    expect(t.errors).toEqual([]);
    expect(t.refreshed[1]!.sessionId).toBe(session.sessionId);
    expect(t.refreshed[1]!.refreshToken).not.toBe(manual!.refreshToken);
  });

  test("refreshBefore not shorter than the token's life: refreshes halfway through it, not in a loop", async () => {
    const t = setup({ refreshBefore: 60 });
    const session = await login(t.startSession, { expiresIn: 30 });
    t.auto.start();
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
    await advance(14_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
    await advance(2_000);
    await until(() => t.refreshed.length === 1);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
    expect(t.refreshed[0]!.sessionId).toBe(session.sessionId);
  });

  test("a token valid longer than setTimeout's limit (~24.8 days) is refreshed at its due time, not at once", async () => {
    const t = setup();
    const session = await login(t.startSession, { expiresIn: 29 * 24 * 3600 });
    t.auto.start();
    const due = Date.parse(session.expiresAt) - 60_000;
    await advance(25 * 24 * 3600_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
    await advanceTo(due - 1_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
    await advance(2_000);
    await until(() => t.refreshed.length === 1);
    expect(t.counter.count(REFRESH)).toBe(1);
  });

  test("the refreshed token verifies, and a new start() after stop() continues from the app's latest pair", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    await advanceTo(Date.parse(session.expiresAt) - 60_000);
    await until(() => t.refreshed.length === 1);
    t.auto.stop();
    const latest = t.refreshed[0]!;
    const verified = await t.client.sessions.verify<{ userId: string }>({ tag, token: latest.token });
    expect(verified.sessionId).toBe(session.sessionId);

    // The option still holds "" (captured at setup): start() uses the app's latest pair.
    t.auto.start();
    expect(t.auto.currentToken.value).toBe(latest.token);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
  });
});

describe("useSessionAutoRefresh with a Ref refreshToken", () => {
  test("a stale configured refresh token loses to a session started later in the app", async () => {
    const t0 = setup();
    const old = await startSession(t0.client);
    t0.wrapper.unmount();
    const refreshToken: Ref<string> = ref(old.refreshToken);
    const t = setup({ refreshToken });
    const fresh = await login(t.startSession);
    t.auto.start();
    expect(t.auto.currentToken.value).toBe(fresh.token);
    await settle();
    // No immediate refresh: the fresh session's expiry is known.
    expect(t.counter.count(REFRESH)).toBe(0);

    // A value set after the login is the newer one: start() refreshes it right away.
    const other = await startSession(t.client);
    refreshToken.value = other.refreshToken;
    t.auto.start();
    await until(() => t.refreshed.length === 1);
    expect(t.refreshed[0]!.sessionId).toBe(other.sessionId);
  });

  test("verify still works with the auto-refreshed token (useSessionVerify)", async () => {
    const counter = countingFetch();
    const { plugin } = testClient(server.current, counter);
    const exposed = {} as { auto: UseSessionAutoRefreshReturn; verify: ReturnType<typeof useSessionVerify<{ userId: string }>>; start: UseSessionStartReturn };
    const component = defineComponent({
      setup() {
        exposed.auto = useSessionAutoRefresh({ tag, refreshToken: "" });
        exposed.verify = useSessionVerify<{ userId: string }>();
        exposed.start = useSessionStart();
        return () => h("div");
      },
    });
    mountWith(component, plugin);
    const session = await login(exposed.start);
    exposed.auto.start();
    await advanceTo(Date.parse(session.expiresAt) - 60_000);
    await until(() => exposed.auto.currentToken.value !== session.token);
    const verified = await exposed.verify.mutate({ tag, token: exposed.auto.currentToken.value! });
    expect(verified?.sessionId).toBe(session.sessionId);
    expect(exposed.verify.data.value?.data.userId).toBe(session.identifier);
  });
});

describe("useSessionAutoRefresh and the session lifecycle", () => {
  test("a verify answering token_superseded for the token held refreshes at once, once, not at the due time", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    await advance(10 * 60_000);
    // Another device (its backend) changes the session: the token this app holds is superseded.
    await t.client.sessions.update({ tag, sessionId: session.sessionId, data: { role: "admin" } });
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);

    // Two verifies of the held token report it superseded; one refresh goes out, at once.
    const held = t.auto.currentToken.value!;
    expect(held).toBe(session.token);
    const [first, second] = await Promise.all([t.verify.mutate({ tag, token: held }), t.verify.mutate({ tag, token: held })]);
    expect([first, second]).toEqual([undefined, undefined]);
    expect(t.verify.error.value?.code).toBe("token_superseded");
    await until(() => t.refreshed.length === 1);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
    const refreshed = t.refreshed[0]!;
    expect(refreshed.sessionId).toBe(session.sessionId);
    expect(t.auto.currentToken.value).toBe(refreshed.token);
    expect(t.auto.isActive.value).toBe(true);
    expect(t.errors).toEqual([]);
    expect((await t.verify.mutateAsync({ tag, token: refreshed.token })).data.role).toBe("admin");

    // The old token again: not the one held any more, so nothing is sent.
    await t.verify.mutate({ tag, token: held });
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);

    // The next refresh is scheduled from the refreshed pair, as after any refresh.
    const refreshedAt = Date.now();
    await advanceTo(refreshedAt + 3600_000 - 60_000 - 5_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
    await advance(10_000);
    await until(() => t.refreshed.length === 2);
    expect(t.counter.count(REFRESH)).toBe(2);
  });

  test("a token_superseded for a token the auto-refresh does not hold sends no refresh", async () => {
    const t = setup();
    await login(t.startSession);
    t.auto.start();
    const other = await startSession(t.client);
    await t.client.sessions.update({ tag, sessionId: other.sessionId, data: { role: "x" } });
    await t.verify.mutate({ tag, token: other.token });
    expect(t.verify.error.value?.code).toBe("token_superseded");
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
  });

  test("useSessionUpdateAll of the held session's user supersedes its token: it refreshes at once to the new data", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    const result = await t.updateAll.mutateAsync({ tag, identifier: session.identifier!, data: { role: "admin" } });
    expect(result.updatedCount).toBe(1);
    await until(() => t.refreshed.length === 1);
    expect(t.counter.count(REFRESH)).toBe(1);
    expect((await t.verify.mutateAsync({ tag, token: t.auto.currentToken.value! })).data.role).toBe("admin");
  });

  test("useSessionUpdate of the held session: currentToken is the new token at once, nothing sent; the next refresh is due from its expiry", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    await advance(30 * 60_000);
    const updated = await t.update.mutateAsync({ tag, sessionId: session.sessionId, data: { role: "admin" } });
    const updatedAt = Date.now();
    expect(t.auto.currentToken.value).toBe(updated.token);
    expect((await t.verify.mutateAsync({ tag, token: t.auto.currentToken.value! })).data.role).toBe("admin");
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
    expect(t.refreshed).toEqual([]);

    // Not at the first token's due time: the new token lives an hour from the update.
    await advanceTo(Date.parse(session.expiresAt) - 60_000 + 1);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
    await advanceTo(updatedAt + 3600_000 - 60_000 - 5_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
    await advance(10_000);
    await until(() => t.refreshed.length === 1);
    // The refresh token was never rotated by the update: the refresh goes on from it.
    expect(t.refreshed[0]!.sessionId).toBe(session.sessionId);
    expect(t.errors).toEqual([]);
  });

  test("useSessionReauthenticate of the held session: currentToken is the step-up token, which passes maxAuthAge", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    await realDelay(1_100);
    await t.verify.mutate({ tag, token: t.auto.currentToken.value!, maxAuthAge: 0 });
    expect(t.verify.error.value?.code).toBe("reauthentication_required");
    const stepUp = await t.reauthenticate.mutateAsync({ tag, sessionId: session.sessionId });
    expect(t.auto.currentToken.value).toBe(stepUp.token);
    expect((await t.verify.mutateAsync({ tag, token: t.auto.currentToken.value!, maxAuthAge: 0 })).sessionId).toBe(session.sessionId);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
  });

  test("start() after a verify found the app's token superseded: refreshes at once", async () => {
    const t = setup();
    const session = await login(t.startSession);
    await t.client.sessions.update({ tag, sessionId: session.sessionId, data: { role: "admin" } });
    await t.verify.mutate({ tag, token: session.token });
    expect(t.verify.error.value?.code).toBe("token_superseded");
    await settle();
    expect(t.counter.count(REFRESH)).toBe(0);
    t.auto.start();
    await until(() => t.refreshed.length === 1);
    expect(t.counter.count(REFRESH)).toBe(1);
    expect((await t.verify.mutateAsync({ tag, token: t.auto.currentToken.value! })).data.role).toBe("admin");
  });

  test("the README's example: a role change on another device reaches this one's verify", async () => {
    const { client, plugin, counter } = testClient(server.current);
    const stored: SessionRefreshResult[] = [];
    const store = (result: SessionRefreshResult) => void stored.push(result);
    const exposed = {} as { check: () => unknown; verified: UseSessionVerifyReturn["data"]; start: UseSessionStartReturn; auto: UseSessionAutoRefreshReturn };
    const component = defineComponent({
      setup() {
        const refreshToken = "";
        // The README's code, as written there (router.afterEach is the test calling check()).
        const auto = useSessionAutoRefresh({ tag: "user-session", refreshToken, onRefresh: store });
        const { mutate: verify, data: verified } = useSessionVerify();
        const check = () => auto.currentToken.value && verify({ tag: "user-session", token: auto.currentToken.value });
        watch(auto.currentToken, check);
        Object.assign(exposed, { check, verified, auto, start: useSessionStart() });
        return () => h("p", verified.value?.data.role ?? "");
      },
    });
    const wrapper = mountWith(component, plugin);
    const session = await login(exposed.start);
    exposed.auto.start();
    await until(() => exposed.verified.value?.sessionId === session.sessionId);
    expect(exposed.verified.value?.data.role).toBeUndefined();

    // The admin, on another device (its own backend and client).
    const admin = testClient(server.current).client;
    await admin.sessions.updateAll({ tag, identifier: session.identifier!, data: { role: "admin" } });

    // This device's next navigation.
    await exposed.check();
    await until(() => exposed.verified.value?.data.role === "admin");
    expect(counter.count(REFRESH)).toBe(1);
    expect(stored).toHaveLength(1);
    expect(exposed.auto.currentToken.value).toBe(stored[0]!.token);
    await nextTick();
    expect(wrapper.text()).toBe("admin");
  });

  test("the client's verifyOrRefresh of the held pair: the auto-refresh takes the refreshed pair on, without a request of its own", async () => {
    const t = setup();
    const session = await login(t.startSession);
    t.auto.start();
    await t.client.sessions.update({ tag, sessionId: session.sessionId, data: { role: "admin" } });
    const result = await t.client.sessions.verifyOrRefresh({ tag, token: session.token, refreshToken: session.refreshToken });
    expect(result.data.role).toBe("admin");
    expect(t.auto.currentToken.value).toBe(result.refreshed!.token);
    expect(t.refreshed).toEqual([result.refreshed]);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
  });
});

/** A JSON error answer as the server sends it. */
function errorAnswer(status: number, code: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { code, message: `test: ${code}`, status } }), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/**
 * A fetch whose first refresh requests fail as `failures` says (an answer, or a thrown error:
 * a network failure), then pass through to the server; every request is counted.
 */
function flakyFetch(failures: Array<(() => Response) | "network" | "timeout">, always = false): CountingFetch {
  const counter = countingFetch();
  let failed = 0;
  return {
    ...counter,
    fetch: async (input, init) => {
      if (new URL(input).pathname !== REFRESH || (!always && failed >= failures.length)) return counter.fetch(input, init);
      const failure = failures[Math.min(failed, failures.length - 1)]!;
      failed++;
      counter.paths.push(REFRESH);
      if (failure === "network") throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") });
      // What the client's transport throws when timeoutMs passes (it passes a HallpassError on).
      if (failure === "timeout") throw new HallpassError("timeout", 0, "test: no answer within timeoutMs");
      return failure();
    },
  };
}

describe("useSessionAutoRefresh retries transient failures", () => {
  /** Logs in, starts, and advances to the first due time; answers when the first attempt went out. */
  async function firstAttempt(t: ReturnType<typeof setup>, extra: { expiresIn?: number } = {}, refreshBefore = 60) {
    const session = await login(t.startSession, extra);
    t.auto.start();
    await advanceTo(Date.parse(session.expiresAt) - refreshBefore * 1000);
    await until(() => t.counter.count(REFRESH) === 1);
    return session;
  }

  /** Expects no new attempt just before `waitMs`, and one at it. */
  async function expectRetryAfter(t: ReturnType<typeof setup>, waitMs: number) {
    const before = t.counter.count(REFRESH);
    await advance(waitMs - 1);
    await settle();
    expect(t.counter.count(REFRESH), `no retry before ${waitMs} ms`).toBe(before);
    await advance(1);
    await until(() => t.counter.count(REFRESH) === before + 1);
  }

  test("network_error, timeout, 503 store_unavailable, 500 internal: retried after 1 s, 2 s, 4 s, 8 s; then the refresh goes on as usual", async () => {
    const counter = flakyFetch(["network", "timeout", () => errorAnswer(503, "store_unavailable"), () => errorAnswer(500, "internal")]);
    const t = setup({}, counter);
    const session = await firstAttempt(t);
    expect(t.auto.isActive.value).toBe(true);
    await expectRetryAfter(t, 1_000);
    await expectRetryAfter(t, 2_000);
    await expectRetryAfter(t, 4_000);
    await expectRetryAfter(t, 8_000); // passes through to the server
    await until(() => t.refreshed.length === 1);
    expect(t.refreshed[0]!.sessionId).toBe(session.sessionId);
    expect(t.auto.currentToken.value).toBe(t.refreshed[0]!.token);
    expect(t.errors).toEqual([]);
    expect(t.auto.isActive.value).toBe(true);
    // The next refresh is scheduled from the new pair, as after any success.
    await advance(10 * 60_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(5);
  });

  test("429 rate_limited: waits the server's Retry-After", async () => {
    const counter = flakyFetch([() => errorAnswer(429, "rate_limited", { "Retry-After": "7" }), "network"]);
    const t = setup({}, counter);
    await firstAttempt(t);
    await expectRetryAfter(t, 7_000);
    await expectRetryAfter(t, 2_000); // the second failure's backoff
    await until(() => t.refreshed.length === 1);
    expect(t.errors).toEqual([]);
  });

  test("a proxy's 502 (with and without hallpass's body) until the token expires: the last retry is at the expiry, then it gives up once", async () => {
    const counter = flakyFetch([() => errorAnswer(502, "bad_gateway"), () => new Response("<html>bad gateway</html>", { status: 502 })], true);
    const t = setup({ refreshBefore: 60 }, counter);
    await firstAttempt(t, { expiresIn: 120 }, 60);
    // Attempts 1, 3, 7, 15 and 31 s after the first; the token expires 60 s after it.
    for (const wait of [1_000, 2_000, 4_000, 8_000, 16_000, 29_000]) await expectRetryAfter(t, wait);
    await until(() => t.errors.length === 1);
    expect(t.errors[0]).toMatchObject({ code: "http_error", status: 502 });
    expect(t.auto.isActive.value).toBe(false);
    expect(t.refreshed).toEqual([]);
    await advance(3600_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(7);
    expect(t.errors).toHaveLength(1);
  });

  test("an error that is not transient is not retried (refresh_token_reused: stop and onError at once)", async () => {
    const counter = flakyFetch([() => errorAnswer(401, "refresh_token_reused")]);
    const t = setup({}, counter);
    await firstAttempt(t);
    await until(() => t.errors.length === 1);
    expect(t.errors[0]!.code).toBe("refresh_token_reused");
    expect(t.auto.isActive.value).toBe(false);
    await advance(60_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
  });

  test("expiry unknown (a refresh token from storage): retried for 5 minutes, then it gives up", async () => {
    const counter = flakyFetch(["network"], true);
    const t = setup({ refreshToken: "hp_rt_EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE" }, counter);
    t.auto.start();
    await until(() => t.counter.count(REFRESH) === 1);
    // Attempts 1, 3, 7, 15 and 31 s after the first, then every 30 s (61, …, 271 s), the last at 300 s.
    for (const wait of [1_000, 2_000, 4_000, 8_000, 16_000]) await expectRetryAfter(t, wait);
    for (let i = 0; i < 8; i++) await expectRetryAfter(t, 30_000);
    expect(t.errors).toEqual([]);
    await expectRetryAfter(t, 29_000);
    await until(() => t.errors.length === 1);
    expect(t.errors[0]!.code).toBe("network_error");
    expect(t.auto.isActive.value).toBe(false);
  });

  test("stop() while waiting to retry: no retry, no onError", async () => {
    const counter = flakyFetch([() => errorAnswer(503, "store_unavailable")]);
    const t = setup({}, counter);
    await firstAttempt(t);
    await settle();
    t.auto.stop();
    await advance(5 * 60_000);
    await settle();
    expect(t.counter.count(REFRESH)).toBe(1);
    expect(t.errors).toEqual([]);
  });
});
