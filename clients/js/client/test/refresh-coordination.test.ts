// Refresh coordination against a real server: the single flight in one client, and two "tabs"
// (two clients in one process) over a BroadcastChannel, with and without Web Locks.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import { Hallpass, HallpassError, hashRefreshToken, type RefreshCoordinationOptions, type SessionRefreshedEvent } from "../src/index.js";
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

/** A session type with `refreshGrace: 0`: any second presentation of a refresh token is reuse. */
async function noGraceType(): Promise<string> {
  const noGrace = unique("nograce").toLowerCase().slice(0, 60);
  const types = new Hallpass({ url: server.url, accessKey: server.productKey });
  await types.sessionTypes.create({ name: "No grace", tag: noGrace, expiry: 1, period: "hours", refreshGrace: 0 });
  return noGrace;
}

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
    const noGrace = await noGraceType();
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

describe("in Node, navigator.locks does not turn coordination on (Node has it since 24.5)", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("with a navigator.locks present, a default client takes no lock, posts nothing and keeps no result", async () => {
    const locks = new FakeLocks();
    vi.stubGlobal("navigator", { locks });
    expect(typeof (globalThis as { document?: unknown }).document).toBe("undefined");
    const listener = new BroadcastChannel("hallpass-refresh");
    const heard: unknown[] = [];
    listener.onmessage = (event) => heard.push(event.data);
    const noGrace = await noGraceType();
    const session = await backend.sessions.start({ tag: noGrace, data: {}, identifier: "node-locks" });
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey });
    try {
      await hp.sessions.refresh({ tag: noGrace, refreshToken: session.refreshToken });
      // Nothing kept: the replay reaches the server, which takes it for reuse.
      await expectHallpassError(hp.sessions.refresh({ tag: noGrace, refreshToken: session.refreshToken }), "refresh_token_reused", 401);
      await sleep(20);
      expect(locks.requested).toEqual([]);
      expect(heard).toEqual([]);
    } finally {
      listener.close();
      hp.close();
    }
  });

  it("asking for it ({}) still uses them", async () => {
    const locks = new FakeLocks();
    vi.stubGlobal("navigator", { locks });
    const session = await freshSession();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, refreshCoordination: { channelName: unique("opt-in") } });
    try {
      await hp.sessions.refresh({ tag, refreshToken: session.refreshToken });
      expect(locks.requested).toHaveLength(1);
    } finally {
      hp.close();
    }
  });
});

describe("hashRefreshToken", () => {
  it("is SHA-256 hex (checked against node:crypto, across padding boundaries and UTF-8)", async () => {
    const inputs = ["", "abc", "hp_rt_" + "A".repeat(43), "x".repeat(55), "x".repeat(56), "x".repeat(63), "x".repeat(64), "y".repeat(1000), "é😀\u0000"];
    for (const input of inputs) {
      expect(hashRefreshToken(input)).toBe(createHash("sha256").update(input, "utf8").digest("hex"));
      expect(hashRefreshToken(input)).toBe(await sha256Hex(input));
    }
  });
});

describe("sessions.onRefreshed", () => {
  it("tells the client's own refresh once (single flight), with the spent token's hash and never the token", async () => {
    const session = await freshSession();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey });
    const events: SessionRefreshedEvent[] = [];
    const unsubscribe = hp.sessions.onRefreshed((event) => events.push(event));
    const results = await Promise.all([1, 2, 3].map(() => hp.sessions.refresh({ tag, refreshToken: session.refreshToken })));
    expect(events).toEqual([{ tag, previousTokenHash: hashRefreshToken(session.refreshToken), result: results[0], source: "request" }]);
    expect(events[0]!.previousTokenHash).toBe(await sha256Hex(session.refreshToken));
    expect(JSON.stringify(events)).not.toContain(session.refreshToken);

    unsubscribe();
    await hp.sessions.refresh({ tag, refreshToken: results[0]!.refreshToken });
    expect(events).toHaveLength(1);
  });

  it("a failed refresh tells nothing; a throwing listener breaks neither the refresh nor the other listeners", async () => {
    const session = await freshSession();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey });
    const events: SessionRefreshedEvent[] = [];
    const reported = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      hp.sessions.onRefreshed(() => {
        throw new Error("listener bug");
      });
      hp.sessions.onRefreshed((event) => events.push(event));
      await expectHallpassError(hp.sessions.refresh({ tag, refreshToken: "hp_rt_DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD" }), "refresh_token_invalid", 401);
      expect(events).toEqual([]);
      const result = await hp.sessions.refresh({ tag, refreshToken: session.refreshToken });
      expect(events.map((e) => e.result)).toEqual([result]);
      expect(reported).toHaveBeenCalledTimes(1);
    } finally {
      reported.mockRestore();
    }
  });

  it("with a publishable key it subscribes (nothing is sent) and never fires", () => {
    const hp = new Hallpass({ url: server.url, publishableKey: server.publishableKey });
    const unsubscribe = hp.sessions.onRefreshed(() => undefined);
    expect(typeof unsubscribe).toBe("function");
    unsubscribe();
  });

  for (const [name, coordination] of [
    ["BroadcastChannel only", { locks: null }],
    ["Web Locks", { locks: new FakeLocks() }],
  ] as const) {
    it(`${name}: a tab learns the pair another tab got for a token it holds, long after it (no request)`, async () => {
      const session = await freshSession();
      const { tabs, refreshes, close } = twoTabs(coordination);
      const seen: [SessionRefreshedEvent[], SessionRefreshedEvent[]] = [[], []];
      tabs.forEach((tab, i) => tab.sessions.onRefreshed((event) => seen[i]!.push(event)));
      try {
        const result = await tabs[1].sessions.refresh({ tag, refreshToken: session.refreshToken });
        await sleep(20);
        expect(refreshes()).toBe(1);
        const previousTokenHash = hashRefreshToken(session.refreshToken);
        expect(seen[1]).toEqual([{ tag, previousTokenHash, result, source: "request" }]);
        expect(seen[0]).toEqual([{ tag, previousTokenHash, result, source: "broadcast" }]);
      } finally {
        close();
      }
    });
  }

  it("the same pair published twice (two tabs spent one token within the grace) is told once", async () => {
    const session = await freshSession();
    const { tabs, channelName, close } = twoTabs({ locks: null });
    const ghost = new BroadcastChannel(channelName);
    const seen: SessionRefreshedEvent[] = [];
    tabs[0].sessions.onRefreshed((event) => seen.push(event));
    try {
      const result = await tabs[1].sessions.refresh({ tag, refreshToken: session.refreshToken });
      await sleep(20);
      ghost.postMessage({ v: 1, type: "result", hash: hashRefreshToken(session.refreshToken), tag, result });
      await sleep(20);
      expect(seen).toHaveLength(1);
    } finally {
      ghost.close();
      close();
    }
  });
});

describe("a Node script that turns cross-tab coordination on", () => {
  // The coordination's timers (the settle window, the wait for another tab) run only while a
  // refresh is awaited, so they are not unref'd: an unref'd one would let Node exit in the middle
  // of `await hallpass.sessions.refresh(...)` (exit code 13, nothing sent). The channel is unref'd.
  it("completes an awaited refresh and exits by itself (the built dist/index.js)", async () => {
    const session = await freshSession();
    const dist = pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href;
    const script = [
      `import { Hallpass } from ${JSON.stringify(dist)};`,
      `const hp = new Hallpass({ url: process.env.HP_URL, accessKey: process.env.HP_KEY, refreshCoordination: { locks: null, channelName: "script" } });`,
      `const result = await hp.sessions.refresh({ tag: "user-session", refreshToken: process.env.HP_RT });`,
      `console.log(result.sessionId);`,
    ].join("\n");
    const started = Date.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        env: { ...process.env, HP_URL: server.url, HP_KEY: server.accessKey, HP_RT: session.refreshToken },
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.on("error", fail);
      child.on("exit", (exitCode) => done({ code: exitCode, stdout: out, stderr: err }));
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout.trim()).toBe(session.sessionId);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
