// Refresh coordination against a real server: the single flight in one client, and two "tabs"
// (two clients in one process) over a BroadcastChannel, with and without Web Locks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import { Hallpass, HallpassError, type RefreshCoordinationOptions } from "../src/index.js";
import { countingFetch, expectHallpassError, FakeLocks, sha256Hex, sleep, unique, userData } from "./helpers.js";

let server: RunningHallpass;
let backend: Hallpass;
const tag = "user-session";

beforeAll(async () => {
  server = await startHallpass();
  backend = new Hallpass({ url: server.url, accessKey: server.accessKey });
});

afterAll(async () => {
  await server?.stop();
});

async function freshSession() {
  return backend.sessions.start({ tag, data: userData(unique("rc")) });
}

/** Two "tabs": two clients sharing one channel name (and the given locks), counting refreshes. */
function twoTabs(coordination: Omit<RefreshCoordinationOptions, "channelName"> = {}, timeoutMs?: number) {
  const counting = countingFetch();
  const channelName = unique("hallpass-refresh-test");
  const make = () =>
    new Hallpass({
      url: server.url,
      accessKey: server.accessKey,
      fetch: counting.fetch,
      refreshCoordination: { channelName, ...coordination },
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  const tabs = [make(), make()] as const;
  return {
    tabs,
    channelName,
    refreshes: () => counting.sent.filter((r) => r.url.pathname === "/v1/sessions/refresh").length,
    close: () => tabs.forEach((t) => t.close()),
  };
}

describe("single flight in one client", () => {
  it("5 concurrent refreshes of one token send 1 request and share its result", async () => {
    const session = await freshSession();
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    const results = await Promise.all(Array.from({ length: 5 }, () => hp.sessions.refresh({ tag, refreshToken: session.refreshToken })));
    expect(counting.sent).toHaveLength(1);
    for (const result of results) expect(result).toBe(results[0]);
    expect(results[0]!.sessionId).toBe(session.sessionId);

    // Settled: the entry is gone, so the next call is sent (and, within the grace, the server
    // answers the same pair).
    const later = await hp.sessions.refresh({ tag, refreshToken: session.refreshToken });
    expect(counting.sent).toHaveLength(2);
    expect(later.refreshToken).toBe(results[0]!.refreshToken);
  });

  it("different tokens are not merged; a shared failure rejects every caller and is not kept", async () => {
    const [a, b] = [await freshSession(), await freshSession()];
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    const [ra, rb] = await Promise.all([
      hp.sessions.refresh({ tag, refreshToken: a.refreshToken }),
      hp.sessions.refresh({ tag, refreshToken: b.refreshToken }),
    ]);
    expect(counting.sent).toHaveLength(2);
    expect([ra.sessionId, rb.sessionId]).toEqual([a.sessionId, b.sessionId]);

    const bogus = "hp_rt_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    const failures = await Promise.all(
      Array.from({ length: 3 }, () => hp.sessions.refresh({ tag, refreshToken: bogus }).catch((e: unknown) => e)),
    );
    expect(counting.sent).toHaveLength(3);
    for (const failure of failures) expect((failure as HallpassError).code).toBe("refresh_token_invalid");
    await expectHallpassError(hp.sessions.refresh({ tag, refreshToken: bogus }), "refresh_token_invalid", 401);
    expect(counting.sent).toHaveLength(4);
  });

  it("by default (in Node) nothing is kept: a replayed token reaches the server", async () => {
    const noGrace = unique("nograce").toLowerCase().slice(0, 60);
    await backend.sessionTypes.create({ name: "No grace", tag: noGrace, expiry: 1, period: "hours", refreshGrace: 0 });
    const session = await backend.sessions.start({ tag: noGrace, data: {}, identifier: "replay" });
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey });
    await hp.sessions.refresh({ tag: noGrace, refreshToken: session.refreshToken });
    await expectHallpassError(hp.sessions.refresh({ tag: noGrace, refreshToken: session.refreshToken }), "refresh_token_reused", 401);
  });
});

describe("two tabs over a BroadcastChannel (no Web Locks)", () => {
  it("refreshing the same token at the same time sends exactly one request; both get the same pair", async () => {
    const session = await freshSession();
    const { tabs, refreshes, close } = twoTabs({ locks: null });
    try {
      const [a, b] = await Promise.all(tabs.map((tab) => tab.sessions.refresh({ tag, refreshToken: session.refreshToken })));
      expect(refreshes()).toBe(1);
      expect(a).toEqual(b);
      expect(a!.sessionId).toBe(session.sessionId);
      expect(a!.refreshToken).not.toBe(session.refreshToken);
      // The new pair works.
      expect((await backend.sessions.verify({ tag, token: a!.token })).sessionId).toBe(session.sessionId);
    } finally {
      close();
    }
  });

  it("a tab that refreshes later uses the result the other tab published instead of spending the token", async () => {
    const session = await freshSession();
    const { tabs, refreshes, close } = twoTabs({ locks: null });
    try {
      const first = await tabs[0].sessions.refresh({ tag, refreshToken: session.refreshToken });
      await sleep(20);
      const second = await tabs[1].sessions.refresh({ tag, refreshToken: session.refreshToken });
      expect(refreshes()).toBe(1);
      expect(second).toEqual(first);
    } finally {
      close();
    }
  });

  it("a tab that announced and vanished is waited for up to timeoutMs, then the token is spent", async () => {
    const session = await freshSession();
    const { tabs, channelName, refreshes, close } = twoTabs({ locks: null }, 300);
    const ghost = new BroadcastChannel(channelName);
    try {
      ghost.postMessage({ v: 1, type: "refreshing", hash: await sha256Hex(session.refreshToken), at: 0, nonce: "0" });
      await sleep(20);
      const started = Date.now();
      const result = await tabs[0].sessions.refresh({ tag, refreshToken: session.refreshToken });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(refreshes()).toBe(1);
      expect(result.sessionId).toBe(session.sessionId);
    } finally {
      ghost.close();
      close();
    }
  });

  it("a failed refresh is announced: the waiting tab does not wait for the timeout", async () => {
    const { tabs, close } = twoTabs({ locks: null }, 5000);
    try {
      const started = Date.now();
      const bogus = "hp_rt_CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
      const errors = await Promise.all(tabs.map((tab) => tab.sessions.refresh({ tag, refreshToken: bogus }).catch((e: unknown) => e)));
      for (const error of errors) expect((error as HallpassError).code).toBe("refresh_token_invalid");
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      close();
    }
  });

  it("never broadcasts a raw refresh token; announces its SHA-256", async () => {
    const session = await freshSession();
    const { tabs, channelName, close } = twoTabs({ locks: null });
    const spy = new BroadcastChannel(channelName);
    const messages: unknown[] = [];
    spy.onmessage = (event) => messages.push(event.data);
    try {
      const result = await tabs[0].sessions.refresh({ tag, refreshToken: session.refreshToken });
      await sleep(20);
      const text = JSON.stringify(messages);
      expect(text).not.toContain(session.refreshToken);
      const hash = await sha256Hex(session.refreshToken);
      expect(messages).toEqual([
        expect.objectContaining({ type: "refreshing", hash }),
        { v: 1, type: "result", hash, tag, result },
      ]);
    } finally {
      spy.close();
      close();
    }
  });
});

describe("two tabs with Web Locks (an in-memory LockManager) and the BroadcastChannel", () => {
  it("refreshing the same token at the same time sends exactly one request; both get the same pair", async () => {
    const session = await freshSession();
    const locks = new FakeLocks();
    const { tabs, channelName, refreshes, close } = twoTabs({ locks });
    try {
      const [a, b] = await Promise.all(tabs.map((tab) => tab.sessions.refresh({ tag, refreshToken: session.refreshToken })));
      expect(refreshes()).toBe(1);
      expect(a).toEqual(b);
      expect(a!.sessionId).toBe(session.sessionId);
      // Both took the lock named from the token's hash, never from the token itself.
      const hash = await sha256Hex(session.refreshToken);
      expect(locks.requested).toEqual([`${channelName}:${hash}`, `${channelName}:${hash}`]);
      expect(locks.requested.join()).not.toContain(session.refreshToken);
    } finally {
      close();
    }
  });

  it("five refreshes in each of two tabs: one request", async () => {
    const session = await freshSession();
    const { tabs, refreshes, close } = twoTabs({ locks: new FakeLocks() });
    try {
      const results = await Promise.all(
        [...tabs, ...tabs, ...tabs, ...tabs, ...tabs].map((tab) => tab.sessions.refresh({ tag, refreshToken: session.refreshToken })),
      );
      expect(refreshes()).toBe(1);
      for (const result of results) expect(result).toEqual(results[0]);
    } finally {
      close();
    }
  });

  it("kept results expire (resultTtlMs): a later refresh of the same token is sent", async () => {
    const session = await freshSession();
    const { tabs, refreshes, close } = twoTabs({ locks: new FakeLocks(), resultTtlMs: 50 });
    try {
      const first = await tabs[0].sessions.refresh({ tag, refreshToken: session.refreshToken });
      await sleep(100);
      const again = await tabs[1].sessions.refresh({ tag, refreshToken: session.refreshToken });
      expect(refreshes()).toBe(2);
      // Within the server's grace the same pair comes back anyway.
      expect(again.refreshToken).toBe(first.refreshToken);
    } finally {
      close();
    }
  });
});
