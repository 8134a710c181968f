// Every session method against a real server, and the examples of Ductape's sessions SDK
// documentation (docs/API.md §1.3) rewritten as tests.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import {
  Hallpass,
  HallpassError,
  type ISessionListItem,
  type ISessionStartInput,
  type ISessionStartResult,
  type ISessionVerifyResult,
} from "../src/index.js";
import { countingFetch, expectHallpassError, expectWireShape, unique, userData } from "./helpers.js";

let server: RunningHallpass;
let ductape: Hallpass; // the examples' variable name, kept for the rewritten examples

beforeAll(async () => {
  server = await startHallpass();
  ductape = new Hallpass({ url: server.url, accessKey: server.accessKey, product: "demo", env: "dev" });
  // The documented "Session with Custom Duration" uses an `admin-session` type (created here).
  // Session types are shared by every env: the key of every env creates them.
  const types = new Hallpass({ url: server.url, accessKey: server.productKey });
  await types.sessionTypes.create({
    name: "Admin session",
    tag: "admin-session",
    description: "Administrators",
    schema: { userId: "admin-1", email: "admin@example.com", role: "admin" },
    selector: "$Session{userId}",
    expiry: 1,
    period: "hours",
  });
});

afterAll(async () => {
  await server?.stop();
});

describe("sessions.start", () => {
  it("starts a session: token, refresh token, times, identifier from the selector", async () => {
    const before = Date.now();
    const session = await ductape.sessions.start({
      tag: "user-session",
      data: { userId: "user-123", email: "user@example.com", role: "user" },
    });
    expectWireShape(session, "IssuedResponse");
    expect(session.token.split(".")).toHaveLength(3);
    expect(session.refreshToken).toMatch(/^hp_rt_/);
    expect(session.sessionId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(session.tag).toBe("user-session");
    expect(session.identifier).toBe("user-123");
    // The dev type issues 1-hour tokens; the session lasts 30 days.
    const expiresAt = Date.parse(session.expiresAt);
    expect(expiresAt).toBeGreaterThan(before + 3500_000);
    expect(expiresAt).toBeLessThan(before + 3700_000);
    expect(Date.parse(session.refreshExpiresAt)).toBeGreaterThan(before + 29 * 86400_000);
  });

  it("takes expiresIn, an explicit identifier (string or number) and the device", async () => {
    const before = Date.now();
    const session = await ductape.sessions.start({
      tag: "user-session",
      data: userData("user-device"),
      identifier: 4242,
      expiresIn: 1800,
      device: { ip: "203.0.113.7", userAgent: "vitest" },
    });
    expect(session.identifier).toBe("4242");
    expect(Date.parse(session.expiresAt)).toBeLessThanOrEqual(before + 1801_000);
    const listed = await ductape.sessions.list({ tag: "user-session", identifier: "4242" });
    expect(listed.sessions[0]?.device).toEqual({ ip: "203.0.113.7", userAgent: "vitest" });
  });

  it("sends product and env from the options, and a call's own ones instead when given", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, product: "demo", env: "dev", fetch: counting.fetch });
    await hp.sessions.start({ tag: "user-session", data: userData("scope-1") });
    await expectHallpassError(hp.sessions.start({ tag: "user-session", data: userData("scope-2"), env: "prd" }), "scope_forbidden", 403);
    expect(counting.sent.map((r) => r.body)).toEqual([
      { tag: "user-session", data: userData("scope-1"), product: "demo", env: "dev" },
      { tag: "user-session", data: userData("scope-2"), product: "demo", env: "prd" },
    ]);
    expect(counting.sent[0]).toMatchObject({ method: "POST", headers: { Authorization: `Bearer ${server.accessKey}`, "Content-Type": "application/json" } });
    expect(counting.sent[0]?.url.pathname).toBe("/v1/sessions/start");

    // Without product/env in the options the key's scope applies and nothing is sent for them.
    const bare = countingFetch();
    const keyScoped = new Hallpass({ url: `${server.url}/`, accessKey: server.accessKey, fetch: bare.fetch });
    await keyScoped.sessions.start({ tag: "user-session", data: userData("scope-3") });
    expect(bare.sent[0]?.body).toEqual({ tag: "user-session", data: userData("scope-3") });
    expect(bare.sent[0]?.url.href).toBe(`${server.url}/v1/sessions/start`);
  });
});

describe("sessions.verify", () => {
  interface UserSessionData {
    userId: string;
    email: string;
    role: "user" | "admin";
    permissions?: string[];
  }

  it("answers the decrypted data, typed by the caller", async () => {
    const input: ISessionStartInput<UserSessionData> = {
      tag: "user-session",
      data: { userId: "typed-1", email: "typed@example.com", role: "admin", permissions: ["users.manage"] },
    };
    const session = await ductape.sessions.start(input);
    const result = await ductape.sessions.verify<UserSessionData>({ tag: "user-session", token: session.token });
    expectTypeOf(result).toEqualTypeOf<ISessionVerifyResult<UserSessionData>>();
    expectTypeOf(result.data.role).toEqualTypeOf<"user" | "admin">();
    expectWireShape(result, "VerifyResponse");
    expect(result).toMatchObject({ sessionId: session.sessionId, tag: "user-session", identifier: "typed-1", expiresAt: session.expiresAt });
    expect(result.data).toEqual(input.data);
    expect(Date.parse(result.issuedAt)).toBeLessThanOrEqual(Date.now());

    // Untyped, as the documented examples read it: result.data.userId.
    const loose = await ductape.sessions.verify({ tag: "user-session", token: session.token });
    expect(loose.data.userId).toBe("typed-1");
  });
});

describe("null tokens (the documented examples pass localStorage.getItem(), string | null)", () => {
  it("verify and refresh send null and the server answers 422 invalid_request", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    const stored: string | null = null; // localStorage.getItem("ductape_token") after a logout
    await expectHallpassError(hp.sessions.verify({ tag: "user-session", token: stored }), "invalid_request", 422);
    await expectHallpassError(hp.sessions.refresh({ tag: "user-session", refreshToken: stored }), "invalid_request", 422);
    expect(counting.sent.map((r) => [r.url.pathname, r.body])).toEqual([
      ["/v1/sessions/verify", { tag: "user-session", token: null }],
      ["/v1/sessions/refresh", { tag: "user-session", refreshToken: null }],
    ]);
  });
});

describe("sessions.refresh, revoke, revokeAll, list", () => {
  it("refresh answers a new pair for the same session; the new token verifies", async () => {
    const session = await ductape.sessions.start({ tag: "user-session", data: userData("refresh-1") });
    const refreshed = await ductape.sessions.refresh({ tag: "user-session", refreshToken: session.refreshToken });
    expectWireShape(refreshed, "IssuedResponse");
    expect(refreshed.sessionId).toBe(session.sessionId);
    expect(refreshed.refreshToken).not.toBe(session.refreshToken);
    expect(refreshed.token).not.toBe(session.token);
    const verified = await ductape.sessions.verify({ tag: "user-session", token: refreshed.token });
    expect(verified.sessionId).toBe(session.sessionId);
    // The rotated-out token again, within the grace: the same new pair, not an error.
    const again = await ductape.sessions.refresh({ tag: "user-session", refreshToken: session.refreshToken });
    expect(again.refreshToken).toBe(refreshed.refreshToken);
  });

  it("revoke answers true once, then false; the token stops verifying", async () => {
    const session = await ductape.sessions.start({ tag: "user-session", data: userData("revoke-1") });
    const first = await ductape.sessions.revoke({ tag: "user-session", sessionId: session.sessionId });
    expectWireShape(first, "RevokeResponse");
    expect(first).toEqual({ revoked: true });
    expect(await ductape.sessions.revoke({ tag: "user-session", sessionId: session.sessionId })).toEqual({ revoked: false });
    await expectHallpassError(ductape.sessions.verify({ tag: "user-session", token: session.token }), "session_revoked", 401);
  });

  it("revokeAll revokes every session of the identifier and counts them", async () => {
    const user = unique("all");
    await ductape.sessions.start({ tag: "user-session", data: userData(user) });
    await ductape.sessions.start({ tag: "user-session", data: userData(user) });
    const result = await ductape.sessions.revokeAll({ tag: "user-session", identifier: user });
    expectWireShape(result, "RevokeAllResponse");
    expect(result).toEqual({ revokedCount: 2 });
    expect((await ductape.sessions.list({ tag: "user-session", identifier: user })).count).toBe(0);
  });

  it("list answers active sessions newest first, with count and pages", async () => {
    const user = unique("list");
    const started: ISessionStartResult[] = [];
    for (let i = 0; i < 3; i++) started.push(await ductape.sessions.start({ tag: "user-session", data: userData(user) }));
    const page1 = await ductape.sessions.list({ tag: "user-session", identifier: user, limit: 2 });
    expectWireShape(page1, "ListResponse");
    page1.sessions.forEach((item) => expectWireShape(item, "SessionItem"));
    expect(page1.count).toBe(3);
    expect(page1.sessions.map((s) => s.sessionId)).toEqual([started[2]!.sessionId, started[1]!.sessionId]);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = await ductape.sessions.list({ tag: "user-session", identifier: user, limit: 2, cursor: page1.nextCursor! });
    expect(page2.sessions.map((s) => s.sessionId)).toEqual([started[0]!.sessionId]);
    expect(page2.nextCursor ?? null).toBeNull();
    const item = page1.sessions[0]!;
    expectTypeOf(item).toEqualTypeOf<ISessionListItem>();
    expect(item).toMatchObject({ tag: "user-session", identifier: user, expiresAt: started[2]!.expiresAt });
    expect(Date.parse(item.createdAt)).not.toBeNaN();
    expect(Date.parse(item.lastActiveAt)).not.toBeNaN();
  });

  it("methods can be called detached from the client object", async () => {
    const { start, verify } = ductape.sessions;
    const session = await start({ tag: "user-session", data: userData("detached") });
    expect((await verify({ tag: "user-session", token: session.token })).identifier).toBe("detached");
  });
});

// ---------------------------------------------------------------------------------------------
// Ductape's sessions examples, rewritten: their code with `ductape` a hallpass client,
// localStorage an in-memory map and the redirects recorded.

class MemoryStorage {
  readonly #items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, value);
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
}

describe("documented examples: starting sessions", () => {
  it("basic start stores both tokens", async () => {
    const localStorage = new MemoryStorage();
    const session = await ductape.sessions.start({
      tag: "user-session",
      data: { userId: "user-123", email: "user@example.com", role: "user" },
    });
    localStorage.setItem("ductape_token", session.token);
    localStorage.setItem("ductape_refresh", session.refreshToken);
    expect(localStorage.getItem("ductape_token")).toBe(session.token);
    expect(localStorage.getItem("ductape_refresh")).toMatch(/^hp_rt_/);
  });

  it("session with custom duration (24 hours) on admin-session", async () => {
    const before = Date.now();
    const session = await ductape.sessions.start({
      tag: "admin-session",
      data: { userId: "admin-456", email: "admin@example.com", role: "admin", permissions: ["read", "write", "delete"] },
      expiresIn: 86400,
    });
    expect(session.tag).toBe("admin-session");
    expect(Math.abs(Date.parse(session.expiresAt) - (before + 86400_000))).toBeLessThan(5_000);
    const verified = await ductape.sessions.verify({ tag: "admin-session", token: session.token });
    expect(verified.data.permissions).toEqual(["read", "write", "delete"]);
  });

  it("session data is encrypted in the token and decrypted by verify", async () => {
    const session = await ductape.sessions.start({
      tag: "user-session",
      data: { userId: "user-123", email: "user@example.com", creditCardLast4: "4242", subscriptionTier: "premium" },
    });
    // The JWT's payload carries the data only as a JWE.
    const payload = JSON.parse(Buffer.from(session.token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
    expect(JSON.stringify(payload)).not.toContain("4242");
    expect(typeof payload.dat).toBe("string");
    const verified = await ductape.sessions.verify({ tag: "user-session", token: session.token });
    expect(verified.data.creditCardLast4).toBe("4242");
    expect(verified.data.subscriptionTier).toBe("premium");
  });
});

describe("documented examples: login → verify → auto-refresh → logout", () => {
  // The examples' SessionManager, with its timer replaced by a direct call.
  class SessionManager {
    token: string | null = null;
    refreshToken: string | null = null;
    sessionTag = "user-session";
    refreshed = 0;
    redirectedTo: string | null = null;
    readonly errors: unknown[] = [];
    constructor(readonly localStorage: MemoryStorage) {}

    async login(userData: { userId: string; email: string; role: string }) {
      const session = await ductape.sessions.start({ tag: this.sessionTag, data: userData, expiresIn: 3600 });
      this.token = session.token;
      this.refreshToken = session.refreshToken;
      this.localStorage.setItem("ductape_token", session.token);
      this.localStorage.setItem("ductape_refresh", session.refreshToken);
    }

    async refreshSession() {
      try {
        const refreshed = await ductape.sessions.refresh({ tag: this.sessionTag, refreshToken: this.refreshToken! });
        this.token = refreshed.token;
        this.refreshToken = refreshed.refreshToken;
        this.localStorage.setItem("ductape_token", refreshed.token);
        this.localStorage.setItem("ductape_refresh", refreshed.refreshToken);
        this.refreshed += 1;
      } catch (error) {
        this.errors.push(error);
        await this.logout();
      }
    }

    async logout() {
      if (this.token) {
        try {
          const verified = await ductape.sessions.verify({ tag: this.sessionTag, token: this.token });
          await ductape.sessions.revoke({ tag: this.sessionTag, sessionId: verified.sessionId });
        } catch (error) {
          this.errors.push(error);
        }
      }
      this.token = null;
      this.refreshToken = null;
      this.localStorage.removeItem("ductape_token");
      this.localStorage.removeItem("ductape_refresh");
      this.redirectedTo = "/login";
    }
  }

  it("runs the whole lifecycle; the logged-out token and refresh token stop working", async () => {
    const localStorage = new MemoryStorage();
    const manager = new SessionManager(localStorage);
    await manager.login({ userId: "user-123", email: "user@example.com", role: "user" });

    // initializeAuth(): verify the stored token on load.
    const onLoad = await ductape.sessions.verify({ tag: "user-session", token: localStorage.getItem("ductape_token")! });
    expect(onLoad.data).toEqual({ userId: "user-123", email: "user@example.com", role: "user" });

    const firstToken = manager.token!;
    const firstRefresh = manager.refreshToken!;
    await manager.refreshSession();
    await manager.refreshSession();
    expect(manager.refreshed).toBe(2);
    expect(manager.errors).toEqual([]);
    expect(manager.token).not.toBe(firstToken);
    expect(localStorage.getItem("ductape_refresh")).toBe(manager.refreshToken);
    const current = await ductape.sessions.verify({ tag: "user-session", token: manager.token! });
    expect(current.sessionId).toBe(onLoad.sessionId);

    const lastToken = manager.token!;
    const lastRefresh = manager.refreshToken!;
    await manager.logout();
    expect(manager.errors).toEqual([]);
    expect(manager.redirectedTo).toBe("/login");
    expect(localStorage.getItem("ductape_token")).toBeNull();
    await expectHallpassError(ductape.sessions.verify({ tag: "user-session", token: lastToken }), "session_revoked", 401);
    await expectHallpassError(ductape.sessions.refresh({ tag: "user-session", refreshToken: lastRefresh }), "session_revoked", 401);
    // The first refresh token was rotated out long ago.
    const old = await ductape.sessions.refresh({ tag: "user-session", refreshToken: firstRefresh }).catch((e: unknown) => e);
    expect(old).toBeInstanceOf(HallpassError);
  });

  it("AuthService.checkAuth clears the stored tokens when verify fails", async () => {
    const localStorage = new MemoryStorage();
    localStorage.setItem("ductape_token", "not-a-token");
    localStorage.setItem("ductape_refresh", "hp_rt_whatever");
    const checkAuth = async (): Promise<boolean> => {
      const token = localStorage.getItem("ductape_token");
      if (!token) return false;
      try {
        await ductape.sessions.verify({ tag: "user-session", token });
        return true;
      } catch {
        localStorage.removeItem("ductape_token");
        localStorage.removeItem("ductape_refresh");
        return false;
      }
    };
    expect(await checkAuth()).toBe(false);
    expect(localStorage.getItem("ductape_refresh")).toBeNull();
  });
});

describe("documented examples: revoke all other devices, and the session dashboard", () => {
  it("revokeAll with excludeCurrentSession keeps only the current session", async () => {
    const userId = unique("devices");
    const laptop = await ductape.sessions.start({ tag: "user-session", data: userData(userId), device: { userAgent: "laptop" } });
    const phone = await ductape.sessions.start({ tag: "user-session", data: userData(userId), device: { userAgent: "phone" } });
    const tablet = await ductape.sessions.start({ tag: "user-session", data: userData(userId), device: { userAgent: "tablet" } });

    // "Revoke All Except Current", on the laptop.
    const currentSession = await ductape.sessions.verify({ tag: "user-session", token: laptop.token });
    const result = await ductape.sessions.revokeAll({
      tag: "user-session",
      identifier: currentSession.data.userId,
      excludeCurrentSession: currentSession.sessionId,
    });
    expect(result.revokedCount).toBe(2);
    expect((await ductape.sessions.verify({ tag: "user-session", token: laptop.token })).sessionId).toBe(laptop.sessionId);
    for (const other of [phone, tablet]) {
      await expectHallpassError(ductape.sessions.verify({ tag: "user-session", token: other.token }), "session_revoked", 401);
    }
  });

  it("SessionDashboard: list, revoke one, revoke all others", async () => {
    const userId = unique("dashboard");
    const localStorage = new MemoryStorage();
    const sessions: ISessionStartResult[] = [];
    for (const agent of ["firefox", "chrome", "safari", "curl"]) {
      sessions.push(await ductape.sessions.start({ tag: "user-session", data: userData(userId), device: { userAgent: agent } }));
    }
    localStorage.setItem("ductape_token", sessions[0]!.token);

    const rendered: { sessionId: string; created: string; expires: string }[][] = [];
    const dashboard = {
      sessionTag: "user-session",
      async loadSessions(identifier: string) {
        const result = await ductape.sessions.list({ tag: this.sessionTag, identifier });
        expect(result.count).toBe(result.sessions.length);
        rendered.push(
          result.sessions.map((session) => ({
            sessionId: session.sessionId,
            created: new Date(session.createdAt).toISOString(),
            expires: new Date(session.expiresAt).toISOString(),
          })),
        );
      },
      async revokeSession(sessionId: string) {
        await ductape.sessions.revoke({ tag: this.sessionTag, sessionId });
        const token = localStorage.getItem("ductape_token")!;
        const verified = await ductape.sessions.verify({ tag: this.sessionTag, token });
        await this.loadSessions(verified.data.userId);
      },
      async revokeAllOthers(identifier: string) {
        const currentToken = localStorage.getItem("ductape_token")!;
        const currentSession = await ductape.sessions.verify({ tag: this.sessionTag, token: currentToken });
        await ductape.sessions.revokeAll({ tag: this.sessionTag, identifier, excludeCurrentSession: currentSession.sessionId });
        await this.loadSessions(identifier);
      },
    };

    await dashboard.loadSessions(userId);
    expect(rendered[0]!.map((s) => s.sessionId)).toEqual(sessions.map((s) => s.sessionId).reverse());
    await dashboard.revokeSession(sessions[3]!.sessionId);
    expect(rendered[1]!.map((s) => s.sessionId)).toEqual([sessions[2]!.sessionId, sessions[1]!.sessionId, sessions[0]!.sessionId]);
    await dashboard.revokeAllOthers(userId);
    expect(rendered[2]!.map((s) => s.sessionId)).toEqual([sessions[0]!.sessionId]);
  });
});
