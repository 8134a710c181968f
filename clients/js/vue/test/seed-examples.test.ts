// The `@ductape/vue` documentation's examples (docs/API.md §11.4), as single-file components copied from it with only the import path
// changed (test/fixtures/*.vue; two carry a one-line fix of a seed typo, marked in the file),
// mounted against a real hallpass server.
import { HallpassError } from "@hallpass/client";
import { flushPromises } from "@vue/test-utils";
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { nextTick } from "vue";
import AdminSessionStart from "./fixtures/AdminSessionStart.vue";
import BasicAutoRefresh from "./fixtures/BasicAutoRefresh.vue";
import BasicSessionStart from "./fixtures/BasicSessionStart.vue";
import BasicTokenVerification from "./fixtures/BasicTokenVerification.vue";
import CompleteAuthenticationExample from "./fixtures/CompleteAuthenticationExample.vue";
import CompleteAuthProvider from "./fixtures/CompleteAuthProvider.vue";
import CompleteSessionManager from "./fixtures/CompleteSessionManager.vue";
import ConditionalRefresh from "./fixtures/ConditionalRefresh.vue";
import CustomExpiration from "./fixtures/CustomExpiration.vue";
import ListUserSessions from "./fixtures/ListUserSessions.vue";
import ManualTokenRefresh from "./fixtures/ManualTokenRefresh.vue";
import RevokeAllExceptCurrent from "./fixtures/RevokeAllExceptCurrent.vue";
import RevokeAllSessions from "./fixtures/RevokeAllSessions.vue";
import RevokeSingleSession from "./fixtures/RevokeSingleSession.vue";
import RoleBasedAccess from "./fixtures/RoleBasedAccess.vue";
import { mountWith, newUser, realDelay, startSession, testClient, until, useServer } from "./support.js";

const server = useServer();
const tag = "user-session";
const REFRESH = "/v1/sessions/refresh";

const alerts: string[] = [];
beforeEach(() => {
  localStorage.clear();
  alerts.length = 0;
  vi.stubGlobal("alert", (message: string) => void alerts.push(String(message)));
  vi.stubGlobal("confirm", () => true);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function fakeTimers() {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
}

async function advanceTo(at: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(Math.max(0, at - Date.now()));
}

describe("Complete Auth Provider", () => {
  test("login → user set and auto-refresh started → a refresh at expiresAt - 60 s puts the new tokens in localStorage → logout", async () => {
    fakeTimers();
    const { client, plugin, counter } = testClient(server.current);
    const wrapper = mountWith(CompleteAuthProvider, plugin);
    const vm = wrapper.vm as unknown as { user: any; login(userId: string, email: string): void; logout(): void };
    expect(vm.user).toBeNull();
    await flushPromises();
    expect(counter.paths).toEqual([]); // nothing stored: no verify on mount

    const { userId, email } = newUser();
    vm.login(userId, email);
    await until(() => vm.user !== null);
    expect(vm.user).toEqual({ userId, email, role: "user" });
    const token = localStorage.getItem("token")!;
    const refreshToken = localStorage.getItem("refreshToken")!;
    expect(token).toMatch(/^ey/);
    expect(refreshToken).toMatch(/^hp_rt_/);
    const started = await client.sessions.verify({ tag, token });

    // The provider captured refreshToken "" at setup; start() after login uses the session the
    // app just started, whose expiry is known: no refresh until expiresAt - 60 s.
    await advanceTo(Date.parse(started.expiresAt) - 60_000 - 1);
    await realDelay(60);
    expect(counter.count(REFRESH)).toBe(0);
    expect(localStorage.getItem("refreshToken")).toBe(refreshToken);

    await vi.advanceTimersByTimeAsync(1);
    await until(() => localStorage.getItem("refreshToken") !== refreshToken);
    expect(counter.count(REFRESH)).toBe(1);
    const newToken = localStorage.getItem("token")!;
    expect(newToken).not.toBe(token);
    const verified = await client.sessions.verify<{ userId: string }>({ tag, token: newToken });
    expect(verified.sessionId).toBe(started.sessionId);
    expect(verified.data.userId).toBe(userId);

    vm.logout();
    expect(vm.user).toBeNull();
    expect(localStorage.getItem("token")).toBeNull();
    expect(localStorage.getItem("refreshToken")).toBeNull();
    await vi.advanceTimersByTimeAsync(3 * 3600_000);
    await realDelay(60);
    expect(counter.count(REFRESH)).toBe(1);
    wrapper.unmount();
  });

  test("page load with stored tokens: verify on mount sets the user, and auto-refresh refreshes at once (expiry unknown)", async () => {
    fakeTimers();
    const { client, plugin, counter } = testClient(server.current);
    const stored = await startSession(client);
    localStorage.setItem("token", stored.token);
    localStorage.setItem("refreshToken", stored.refreshToken);
    const wrapper = mountWith(CompleteAuthProvider, plugin);
    const vm = wrapper.vm as unknown as { user: any };
    await until(() => vm.user !== null);
    expect(vm.user).toEqual(stored.user);
    await until(() => localStorage.getItem("refreshToken") !== stored.refreshToken);
    expect(counter.count(REFRESH)).toBe(1);
    const verified = await client.sessions.verify({ tag, token: localStorage.getItem("token")! });
    expect(verified.sessionId).toBe(stored.sessionId);
    wrapper.unmount();
  });

  test("page load with a bad stored token: verify fails, tokens removed, no refresh", async () => {
    const { plugin, counter } = testClient(server.current);
    localStorage.setItem("token", "garbage");
    localStorage.setItem("refreshToken", "hp_rt_garbage");
    const wrapper = mountWith(CompleteAuthProvider, plugin);
    await until(() => localStorage.getItem("token") === null);
    expect(localStorage.getItem("refreshToken")).toBeNull();
    expect((wrapper.vm as unknown as { user: unknown }).user).toBeNull();
    await realDelay(60);
    expect(counter.paths).toEqual(["/v1/sessions/verify"]);
  });
});

describe("useSessionStart examples", () => {
  test("Basic Session Start: button disabled while starting, then the session shown and tokens stored", async () => {
    const { client, plugin } = testClient(server.current);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const wrapper = mountWith(BasicSessionStart, plugin);
    expect(wrapper.find("button").text()).toBe("Log In");
    await wrapper.find("button").trigger("click");
    expect(wrapper.find("button").text()).toBe("Starting Session...");
    expect(wrapper.find("button").attributes("disabled")).toBeDefined();
    await until(() => wrapper.text().includes("Session ID:"));
    expect(wrapper.find("button").text()).toBe("Log In");
    const token = localStorage.getItem("token")!;
    const verified = await client.sessions.verify<{ role: string }>({ tag, token });
    expect(wrapper.text()).toContain(`Session ID: ${verified.sessionId}`);
    expect(verified.identifier).toBe("user-123");
    expect(verified.data.role).toBe("user");
    expect(log).toHaveBeenCalledWith("Session started:", verified.sessionId);
    expect(alerts).toEqual([]);
  });

  test("With Custom Expiration: a 7-day token", async () => {
    const { client, plugin } = testClient(server.current);
    const wrapper = mountWith(CustomExpiration, plugin);
    await wrapper.find("button").trigger("click");
    await until(() => localStorage.getItem("token") !== null);
    const verified = await client.sessions.verify({ tag, token: localStorage.getItem("token")! });
    expect(Date.parse(verified.expiresAt) - Date.parse(verified.issuedAt)).toBe(7 * 24 * 3600_000);
  });

  describe("admin-session", () => {
    beforeAll(async () => {
      // Session types are shared by every env: the key of every env creates them.
      const { client } = testClient(server.current, undefined, { accessKey: server.current.productKey });
      await client.sessionTypes.create({
        tag: "admin-session",
        name: "Admin session",
        expiry: 1,
        period: "hours",
        schema: { userId: "", email: "", role: "" },
        selector: "$Session{userId}",
      });
    });

    test("Admin Session Example, then Role-Based Access Control with its token", async () => {
      const { plugin } = testClient(server.current);
      const admin = mountWith(AdminSessionStart, plugin);
      await admin.find("button").trigger("click");
      await until(() => localStorage.getItem("adminToken") !== null);
      expect(localStorage.getItem("adminRefreshToken")).toMatch(/^hp_rt_/);

      // The example reads localStorage "token".
      localStorage.setItem("token", localStorage.getItem("adminToken")!);
      const page = mountWith(RoleBasedAccess, plugin);
      await nextTick(); // onMounted started the call: isLoading is true
      expect(page.text()).toContain("Checking permissions...");
      await until(() => page.text().includes("Admin Dashboard"));
      expect(alerts).toEqual([]);
    });

    test("Role-Based Access Control with a user-session token: access denied (tag_mismatch)", async () => {
      const { client, plugin } = testClient(server.current);
      localStorage.setItem("token", (await startSession(client)).token);
      const page = mountWith(RoleBasedAccess, plugin);
      await until(() => page.text().includes("Access denied. Admin role required."));
    });
  });
});

describe("useSessionVerify examples", () => {
  test("Basic Token Verification: welcome back with the session's data", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const { client, plugin } = testClient(server.current);
    const session = await startSession(client);
    localStorage.setItem("token", session.token);
    const wrapper = mountWith(BasicTokenVerification, plugin);
    await nextTick(); // onMounted started the call: isLoading is true
    expect(wrapper.text()).toContain("Verifying session...");
    await until(() => wrapper.text().includes("Welcome back!"));
    expect(wrapper.text()).toContain(`User ID: ${session.user.userId}`);
    expect(wrapper.text()).toContain(`Email: ${session.user.email}`);
    expect(log).toHaveBeenCalledWith("Session valid:", session.user);
  });

  test("Basic Token Verification: an invalid token shows the error branch and clears storage", async () => {
    const { plugin } = testClient(server.current);
    localStorage.setItem("token", "not-a-token");
    localStorage.setItem("refreshToken", "hp_rt_x");
    const wrapper = mountWith(BasicTokenVerification, plugin);
    await until(() => wrapper.text().includes("Session expired. Please log in again."));
    expect(localStorage.getItem("token")).toBeNull();
    expect(localStorage.getItem("refreshToken")).toBeNull();
  });
});

describe("useSessionRefresh examples", () => {
  test("Manual Token Refresh: new tokens stored; a spent refresh token fails and clears storage", async () => {
    const { client, plugin } = testClient(server.current);
    const session = await startSession(client);
    localStorage.setItem("token", session.token);
    localStorage.setItem("refreshToken", session.refreshToken);
    const wrapper = mountWith(ManualTokenRefresh, plugin);
    await wrapper.find("button").trigger("click");
    expect(wrapper.find("button").text()).toBe("Refreshing...");
    await until(() => alerts.length === 1);
    expect(alerts).toEqual(["Session refreshed successfully"]);
    expect(wrapper.find("button").text()).toBe("Refresh Session");
    expect(localStorage.getItem("refreshToken")).not.toBe(session.refreshToken);

    // An unknown refresh token: the error branch.
    localStorage.setItem("refreshToken", "hp_rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    await wrapper.find("button").trigger("click");
    await until(() => alerts.length === 2);
    expect(alerts[1]).toBe("Failed to refresh session. Please log in again.");
    expect(localStorage.getItem("token")).toBeNull();
    expect(localStorage.getItem("refreshToken")).toBeNull();
  });

  test("Conditional Refresh Based on Expiry: a token expiring within 5 minutes is refreshed, a 1-hour one is not", async () => {
    const { client, plugin, counter } = testClient(server.current);
    const short = await startSession(client, newUser(), { expiresIn: 120 });
    localStorage.setItem("token", short.token);
    localStorage.setItem("refreshToken", short.refreshToken);
    mountWith(ConditionalRefresh, plugin);
    await until(() => localStorage.getItem("refreshToken") !== short.refreshToken);
    expect(counter.count(REFRESH)).toBe(1);

    const long = await startSession(client);
    localStorage.setItem("token", long.token);
    localStorage.setItem("refreshToken", long.refreshToken);
    mountWith(ConditionalRefresh, plugin);
    await until(() => counter.count("/v1/sessions/verify") === 2);
    await realDelay(100);
    expect(counter.count(REFRESH)).toBe(1);
    expect(localStorage.getItem("refreshToken")).toBe(long.refreshToken);
  });
});

describe("useSessionAutoRefresh examples", () => {
  test("Basic Auto-Refresh Setup: stored tokens → refreshed at once, then 5 minutes before expiry; onError clears storage", async () => {
    fakeTimers();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const { client, plugin, counter } = testClient(server.current);
    const stored = await startSession(client);
    localStorage.setItem("token", stored.token);
    localStorage.setItem("refreshToken", stored.refreshToken);
    const wrapper = mountWith(BasicAutoRefresh, plugin);
    await until(() => localStorage.getItem("refreshToken") !== stored.refreshToken);
    expect(log).toHaveBeenCalledWith("Session auto-refreshed");
    const first = await client.sessions.verify({ tag, token: localStorage.getItem("token")! });

    await advanceTo(Date.parse(first.expiresAt) - 5 * 60_000 - 1);
    await realDelay(60);
    expect(counter.count(REFRESH)).toBe(1);
    const before = localStorage.getItem("refreshToken");
    await vi.advanceTimersByTimeAsync(1);
    await until(() => localStorage.getItem("refreshToken") !== before);
    expect(counter.count(REFRESH)).toBe(2);
    wrapper.unmount();
  });

  test("Basic Auto-Refresh Setup: a revoked session → onError removes the tokens", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const { client, plugin } = testClient(server.current);
    const stored = await startSession(client);
    await client.sessions.revoke({ tag, sessionId: stored.sessionId });
    localStorage.setItem("token", stored.token);
    localStorage.setItem("refreshToken", stored.refreshToken);
    mountWith(BasicAutoRefresh, plugin);
    await until(() => localStorage.getItem("refreshToken") === null);
    expect(localStorage.getItem("token")).toBeNull();
    expect(error).toHaveBeenCalledWith("Auto-refresh failed:", expect.any(HallpassError));
  });

  test("Complete Authentication Example: log in → tokens stored and kept fresh; a reload verifies and shows the user", async () => {
    fakeTimers();
    const first = testClient(server.current);
    const wrapper = mountWith(CompleteAuthenticationExample, first.plugin);
    expect(wrapper.text()).toContain("Please Log In");
    await wrapper.find("button").trigger("click");
    expect(wrapper.find("button").text()).toBe("Logging In...");
    await until(() => localStorage.getItem("refreshToken") !== null);
    const refreshToken = localStorage.getItem("refreshToken")!;
    const session = await first.client.sessions.verify({ tag, token: localStorage.getItem("token")! });
    await advanceTo(Date.parse(session.expiresAt) - 60_000);
    await until(() => localStorage.getItem("refreshToken") !== refreshToken);
    expect(first.counter.count(REFRESH)).toBe(1);
    wrapper.unmount();

    // A page reload: a new app with the tokens from localStorage.
    const second = testClient(server.current);
    const reloaded = mountWith(CompleteAuthenticationExample, second.plugin);
    await until(() => reloaded.text().includes("Welcome, user@example.com!"));
    expect(reloaded.text()).toContain("User ID: user-123");
    expect(reloaded.text()).toContain("Role: user");
    await until(() => second.counter.count(REFRESH) === 1);
    reloaded.unmount();
  });
});

describe("useSessionRevoke / useSessionRevokeAll / useSessionList examples", () => {
  test("Revoke Single Session: the session is revoked", async () => {
    const { client, plugin } = testClient(server.current);
    const session = await startSession(client);
    const [item] = (await client.sessions.list({ tag, identifier: session.user.userId })).sessions;
    const wrapper = mountWith(RevokeSingleSession, plugin, { props: { session: item } });
    await wrapper.find("button").trigger("click");
    expect(wrapper.find("button").text()).toBe("Revoking...");
    await until(() => alerts.length === 1);
    expect(alerts).toEqual(["Session revoked successfully"]);
    await expect(client.sessions.verify({ tag, token: session.token })).rejects.toMatchObject({ code: "session_revoked" });
  });

  test("Revoke All Sessions: every session of the user", async () => {
    const { client, plugin } = testClient(server.current);
    const user = newUser();
    await startSession(client, user);
    await startSession(client, user);
    const wrapper = mountWith(RevokeAllSessions, plugin, { props: { userId: user.userId } });
    await wrapper.find("button").trigger("click");
    await until(() => alerts.length === 1);
    expect(alerts).toEqual(["Revoked 2 sessions"]);
    expect((await client.sessions.list({ tag, identifier: user.userId })).count).toBe(0);
  });

  test("Revoke All Except Current: the other devices only", async () => {
    const { client, plugin } = testClient(server.current);
    const user = newUser();
    const current = await startSession(client, user);
    await startSession(client, user);
    await startSession(client, user);
    localStorage.setItem("token", current.token);
    const wrapper = mountWith(RevokeAllExceptCurrent, plugin);
    // Click once the verify on mount has answered (the example's sessionData).
    await until(() => (wrapper.vm as unknown as { sessionData: { sessionId: string } | null }).sessionData?.sessionId === current.sessionId);
    await wrapper.find("button").trigger("click");
    await until(() => alerts.length === 1);
    expect(alerts).toEqual(["Logged out of 2 other devices"]);
    const left = await client.sessions.list({ tag, identifier: user.userId });
    expect(left.sessions.map((s) => s.sessionId)).toEqual([current.sessionId]);
  });

  test("List All User Sessions: the user's active sessions", async () => {
    const { client, plugin } = testClient(server.current);
    const user = newUser();
    const ids = [(await startSession(client, user)).sessionId, (await startSession(client, user)).sessionId, (await startSession(client, user)).sessionId];
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const wrapper = mountWith(ListUserSessions, plugin, { props: { userId: user.userId } });
    await nextTick(); // onMounted started the call: isLoading is true
    expect(wrapper.text()).toContain("Loading sessions...");
    await until(() => wrapper.text().includes("Active Sessions (3)"));
    expect(wrapper.findAll("li")).toHaveLength(3);
    for (const id of ids) expect(wrapper.text()).toContain(`Session ID: ${id}`);
    expect(log).toHaveBeenCalledWith("Found 3 active sessions");
  });

  test("Complete Session Manager: current marked, revoke one, then log out the other devices", async () => {
    const { client, plugin } = testClient(server.current);
    const user = newUser();
    const current = await startSession(client, user);
    const second = await startSession(client, user);
    await startSession(client, user);
    const wrapper = mountWith(CompleteSessionManager, plugin, { props: { userId: user.userId, currentSessionId: current.sessionId } });
    await until(() => wrapper.text().includes("Your Sessions") && wrapper.text().includes(current.sessionId));
    expect(wrapper.text()).toContain("(Current)");
    const revokeButtons = () => wrapper.findAll("button").filter((b) => b.text() === "Revoke");
    expect(revokeButtons()).toHaveLength(2);

    // Revoke the second session: the list reloads without it.
    const secondRow = wrapper.findAll("button").find((b) => b.text() === "Revoke" && b.element.parentElement?.textContent?.includes(second.sessionId));
    await secondRow!.trigger("click");
    await until(() => !wrapper.text().includes(second.sessionId) && wrapper.text().includes("Your Sessions"));
    expect(revokeButtons()).toHaveLength(1);

    // Log out the other devices: only the current one is left.
    await wrapper.findAll("button").find((b) => b.text() === "Log Out Other Devices")!.trigger("click");
    await until(() => wrapper.text().includes("Your Sessions") && revokeButtons().length === 0);
    expect(wrapper.text()).toContain(current.sessionId);
    expect((await client.sessions.list({ tag, identifier: user.userId })).count).toBe(1);
  });
});
