// The session composables against a real server: isLoading while in flight, data, error,
// hook-level then per-call callbacks with (result|error, input), and mutate never rejecting.
import { HallpassError } from "@hallpass/client";
import { describe, expect, test } from "vitest";
import { defineComponent, h, nextTick } from "vue";
import {
  useSessionList,
  useSessionReauthenticate,
  useSessionRefresh,
  useSessionRevoke,
  useSessionRevokeAll,
  useSessionStart,
  useSessionUpdate,
  useSessionUpdateAll,
  useSessionVerify,
  type MutationCallbacks,
  type MutationReturn,
} from "../src/index.js";
import { countingFetch, mountWith, newUser, startSession, testClient, useServer } from "./support.js";

const server = useServer();
const tag = "user-session";

/** A component that uses one composable the way the `@ductape/vue` documentation does and renders its state. */
function harness<TResult, TInput>(use: () => MutationReturn<TResult, TInput>) {
  let state!: MutationReturn<TResult, TInput>;
  const component = defineComponent({
    setup() {
      state = use();
      const { isLoading, data, error } = state;
      return () =>
        h("div", [
          h("button", { disabled: isLoading.value }, isLoading.value ? "Working..." : "Go"),
          h("p", { class: "state" }, error.value ? `error:${error.value.code}` : data.value ? "data" : "idle"),
        ]);
    },
  });
  return { component, state: () => state };
}

type Case = {
  name: string;
  /** Calls the composable with hook-level callbacks. */
  use: (callbacks: MutationCallbacks<any, any>) => MutationReturn<any, any>;
  /** A valid input (may start a session first). */
  good: (client: import("@hallpass/client").Hallpass) => Promise<any>;
  /** Checks the result of the valid input. */
  check: (result: any, input: any) => void;
  /** An input the server refuses, and the code it answers. */
  bad: any;
  code: string;
};

const cases: Case[] = [
  {
    name: "useSessionStart",
    use: (callbacks) => useSessionStart(callbacks),
    good: async () => {
      const user = newUser();
      return { tag, data: { ...user, role: "user" }, identifier: user.userId };
    },
    check: (result, input) => {
      expect(result.token).toMatch(/^ey/);
      expect(result.refreshToken).toMatch(/^hp_rt_/);
      expect(result.identifier).toBe(input.identifier);
      expect(Date.parse(result.expiresAt)).toBeGreaterThan(Date.now());
    },
    bad: { tag, data: { userId: "u-1" } },
    code: "schema_violation",
  },
  {
    name: "useSessionVerify",
    use: (callbacks) => useSessionVerify<{ userId: string; email: string }>(callbacks),
    good: async (client) => {
      const session = await startSession(client);
      return { tag, token: session.token };
    },
    check: (result) => {
      expect(result.data.userId).toMatch(/^user-/);
      expect(result.data.email).toContain("@example.com");
      expect(result.sessionId).toBeTruthy();
      expect(result.issuedAt).toMatch(/Z$/);
    },
    bad: { tag, token: "not-a-token" },
    code: "token_malformed",
  },
  {
    name: "useSessionRefresh",
    use: (callbacks) => useSessionRefresh(callbacks),
    good: async (client) => {
      const session = await startSession(client);
      return { tag, refreshToken: session.refreshToken };
    },
    check: (result, input) => {
      expect(result.refreshToken).toMatch(/^hp_rt_/);
      expect(result.refreshToken).not.toBe(input.refreshToken);
    },
    bad: { tag, refreshToken: "hp_rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
    code: "refresh_token_invalid",
  },
  {
    name: "useSessionRevoke",
    use: (callbacks) => useSessionRevoke(callbacks),
    good: async (client) => {
      const session = await startSession(client);
      return { tag, sessionId: session.sessionId };
    },
    check: (result) => expect(result).toEqual({ revoked: true }),
    bad: { tag, sessionId: "01NOSUCHSESSION0000000000" },
    code: "session_not_found",
  },
  {
    name: "useSessionRevokeAll",
    use: (callbacks) => useSessionRevokeAll(callbacks),
    good: async (client) => {
      const user = newUser();
      await startSession(client, user);
      await startSession(client, user);
      return { tag, identifier: user.userId };
    },
    check: (result) => expect(result).toEqual({ revokedCount: 2 }),
    bad: { tag: "no-such-type", identifier: "u-1" },
    code: "session_type_not_found",
  },
  {
    name: "useSessionList",
    use: (callbacks) => useSessionList(callbacks),
    good: async (client) => {
      const user = newUser();
      await startSession(client, user);
      await startSession(client, user);
      await startSession(client, user);
      return { tag, identifier: user.userId };
    },
    check: (result, input) => {
      expect(result.count).toBe(3);
      expect(result.sessions).toHaveLength(3);
      expect(result.sessions.every((s: { identifier: string }) => s.identifier === input.identifier)).toBe(true);
    },
    bad: { tag, identifier: "u-1", limit: 5000 },
    code: "invalid_request",
  },
  {
    name: "useSessionUpdate",
    use: (callbacks) => useSessionUpdate<{ userId: string; email: string; role?: string }>(callbacks),
    good: async (client) => {
      const session = await startSession(client);
      return { tag, sessionId: session.sessionId, data: { role: "admin" } };
    },
    check: (result, input) => {
      expect(result.sessionId).toBe(input.sessionId);
      expect(result.data.role).toBe("admin");
      expect(result.data.userId).toMatch(/^user-/);
      expect(result.token).toMatch(/^ey/);
      expect(result.updatedAt).toMatch(/Z$/);
    },
    bad: { tag, sessionId: "01NOSUCHSESSION0000000000", data: { role: "admin" } },
    code: "session_not_found",
  },
  {
    name: "useSessionUpdateAll",
    use: (callbacks) => useSessionUpdateAll(callbacks),
    good: async (client) => {
      const user = newUser();
      await startSession(client, user);
      await startSession(client, user);
      return { tag, identifier: user.userId, data: { role: "admin" } };
    },
    check: (result) => expect(result).toEqual({ updatedCount: 2 }),
    bad: { tag, identifier: "u-1", data: [1] },
    code: "invalid_request",
  },
  {
    name: "useSessionReauthenticate",
    use: (callbacks) => useSessionReauthenticate(callbacks),
    good: async (client) => {
      const session = await startSession(client);
      return { tag, sessionId: session.sessionId, amr: ["pwd", "otp"] };
    },
    check: (result, input) => {
      expect(result.sessionId).toBe(input.sessionId);
      expect(result.token).toMatch(/^ey/);
      expect(result.data.userId).toMatch(/^user-/);
    },
    bad: { tag, sessionId: "01NOSUCHSESSION0000000000" },
    code: "session_not_found",
  },
];

describe.each(cases)("$name", ({ use, good, check, bad, code }) => {
  test("isLoading while in flight, then data; hook-level then per-call onSuccess(result, input)", async () => {
    const { client, plugin } = testClient(server.current);
    const calls: Array<[string, unknown, unknown]> = [];
    const { component, state } = harness(() =>
      use({
        onSuccess: (result, input) => calls.push(["hook:onSuccess", result, input]),
        onError: (error, input) => calls.push(["hook:onError", error, input]),
      }),
    );
    const wrapper = mountWith(component, plugin);
    const { mutate, isLoading, data, error } = state();
    expect(isLoading.value).toBe(false);
    expect(data.value).toBeNull();
    expect(wrapper.find(".state").text()).toBe("idle");

    const input = await good(client);
    const pending = mutate(input, {
      onSuccess: (result, given) => calls.push(["call:onSuccess", result, given]),
      onError: (e, given) => calls.push(["call:onError", e, given]),
    });
    expect(isLoading.value).toBe(true);
    await nextTick();
    expect(wrapper.find("button").attributes("disabled")).toBeDefined();
    expect(wrapper.find("button").text()).toBe("Working...");

    const result = await pending;
    expect(isLoading.value).toBe(false);
    expect(error.value).toBeNull();
    expect(data.value).toBe(result);
    check(result, input);
    expect(calls.map(([name]) => name)).toEqual(["hook:onSuccess", "call:onSuccess"]);
    for (const [, given, givenInput] of calls) {
      expect(given).toBe(result);
      expect(givenInput).toBe(input);
    }
    await nextTick();
    expect(wrapper.find("button").attributes("disabled")).toBeUndefined();
    expect(wrapper.find(".state").text()).toBe("data");
    wrapper.unmount();
  });

  test(`error ${code}: error set, data cleared, hook-level then per-call onError(error, input), mutate resolves undefined`, async () => {
    const { client, plugin } = testClient(server.current);
    const calls: Array<[string, unknown, unknown]> = [];
    const { component, state } = harness(() =>
      use({
        onSuccess: (result, input) => calls.push(["hook:onSuccess", result, input]),
        onError: (e, input) => calls.push(["hook:onError", e, input]),
      }),
    );
    const wrapper = mountWith(component, plugin);
    const { mutate, isLoading, data, error } = state();

    // A success first, so the failure has data to clear.
    await mutate(await good(client));
    expect(data.value).not.toBeNull();
    calls.length = 0;

    const pending = mutate(bad, {
      onSuccess: (result, given) => calls.push(["call:onSuccess", result, given]),
      onError: (e, given) => calls.push(["call:onError", e, given]),
    });
    expect(isLoading.value).toBe(true);
    await expect(pending).resolves.toBeUndefined();
    expect(isLoading.value).toBe(false);
    expect(data.value).toBeNull();
    expect(error.value).toBeInstanceOf(HallpassError);
    expect(error.value?.code).toBe(code);
    expect(error.value?.status).toBeGreaterThanOrEqual(400);
    expect(error.value?.message).toBeTruthy();
    expect(calls.map(([name]) => name)).toEqual(["hook:onError", "call:onError"]);
    for (const [, given, givenInput] of calls) {
      expect(given).toBe(error.value);
      expect(givenInput).toBe(bad);
    }
    await nextTick();
    expect(wrapper.find(".state").text()).toBe(`error:${code}`);

    // The next call clears the error while in flight.
    const again = mutate(await good(client));
    expect(error.value).toBeNull();
    await again;
    expect(error.value).toBeNull();
    expect(data.value).not.toBeNull();
    wrapper.unmount();
  });
});

describe("mutate and mutateAsync", () => {
  test("mutate ignored by the caller leaves no unhandled rejection; mutateAsync rejects with the HallpassError", async () => {
    const { plugin } = testClient(server.current);
    const { component, state } = harness(() => useSessionVerify());
    mountWith(component, plugin);
    const { mutate, mutateAsync, error } = state();
    // Fire and forget, as the `@ductape/vue` documentation does (vitest fails the run on an unhandled rejection).
    void mutate({ tag, token: "garbage" });
    await expect(mutateAsync({ tag, token: "garbage" })).rejects.toMatchObject({ name: "HallpassError", code: "token_malformed", status: 401 });
    expect(error.value?.code).toBe("token_malformed");
  });

  test("a throwing callback goes to app.config.errorHandler; the other callbacks still run and mutate resolves", async () => {
    const { client, plugin } = testClient(server.current);
    const handled: unknown[] = [];
    const order: string[] = [];
    const { component, state } = harness(() =>
      useSessionVerify({
        onSuccess: () => {
          order.push("hook");
          throw new Error("boom in onSuccess");
        },
      }),
    );
    mountWith(component, plugin, { errorHandler: (e) => handled.push(e) });
    const session = await startSession(client);
    const result = await state().mutate({ tag, token: session.token }, { onSuccess: () => void order.push("call") });
    expect(result?.sessionId).toBe(session.sessionId);
    expect(order).toEqual(["hook", "call"]);
    expect(handled).toHaveLength(1);
    expect((handled[0] as Error).message).toBe("boom in onSuccess");
  });

  test("overlapping calls: data follows the latest call, isLoading until all settle, each call gets its own result", async () => {
    // Holds the first verify request until released.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let verifies = 0;
    const counter = countingFetch();
    const gated = {
      ...counter,
      fetch: async (input: string, init: RequestInit) => {
        if (input.endsWith("/v1/sessions/verify") && verifies++ === 0) await gate;
        return counter.fetch(input, init);
      },
    };
    const { client, plugin } = testClient(server.current, gated);
    const { component, state } = harness(() => useSessionVerify());
    mountWith(component, plugin);
    const first = await startSession(client);
    const second = await startSession(client);
    const { mutate, data, isLoading } = state();

    const slow = mutate({ tag, token: first.token });
    const fast = mutate({ tag, token: second.token });
    expect((await fast)?.sessionId).toBe(second.sessionId);
    expect(data.value?.sessionId).toBe(second.sessionId);
    expect(isLoading.value).toBe(true);
    release();
    expect((await slow)?.sessionId).toBe(first.sessionId);
    expect(isLoading.value).toBe(false);
    expect(data.value?.sessionId).toBe(second.sessionId);
  });
});
