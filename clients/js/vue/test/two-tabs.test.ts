// Tabs over time and refreshes in flight at stop/unmount, with the `@ductape/vue` documentation's Basic Auto-Refresh
// (test/fixtures/BasicAutoRefresh.vue, which keeps the pair in localStorage) against a real
// server. The server's user-session type gets `refreshGrace: 0` here, so a spent refresh token
// presented again is taken for theft at once (instead of after 10 s): every test that would
// spend a token twice fails without real waiting. The two "tabs" are two clients and two apps
// in one page: they share localStorage, the BroadcastChannel and (as a browser's tabs do) the
// Web Locks of test/support.ts.
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { defineComponent, h } from "vue";
import { useSessionAutoRefresh, type UseSessionAutoRefreshReturn } from "../src/index.js";
import BasicAutoRefresh from "./fixtures/BasicAutoRefresh.vue";
import { mountWith, realDelay, startSession, testClient, until, useServer } from "./support.js";

const server = useServer();
const tag = "user-session";
const REFRESH = "/v1/sessions/refresh";

beforeAll(async () => {
  // Session types are shared by every env: the key of every env changes them.
  const { client } = testClient(server.current, undefined, { accessKey: server.current.productKey });
  const updated = await client.sessionTypes.update(tag, { refreshGrace: 0 });
  expect(updated.refreshGrace).toBe(0);
});

let consoleErrors: unknown[][] = [];
beforeEach(() => {
  localStorage.clear();
  consoleErrors = [];
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void consoleErrors.push(args));
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** What BasicAutoRefresh's setup answers, read through the mounted component. */
type AutoRefreshVm = { isActive: boolean; currentToken: string | null; start(): void; stop(): void };

/** Advances the fake clock 10 s at a time until `check` holds (requests in flight finish on real time). */
async function advanceUntil(check: () => boolean, maxMs: number): Promise<void> {
  for (let waited = 0; !check(); waited += 10_000) {
    if (waited >= maxMs) throw new Error(`condition not met within ${maxMs} ms of fake time`);
    await vi.advanceTimersByTimeAsync(10_000);
    await realDelay(5);
  }
}

async function expectAlive(token: string, sessionId: string): Promise<void> {
  const { client } = testClient(server.current);
  const verified = await client.sessions.verify({ tag, token });
  expect(verified.sessionId).toBe(sessionId);
}

describe("two tabs of one origin", () => {
  test("opened 10 minutes apart: the first tab takes on the pair the second got, and they refresh once, together", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const a = testClient(server.current);
    const b = testClient(server.current);
    const started = await startSession(a.client);
    localStorage.setItem("token", started.token);
    localStorage.setItem("refreshToken", started.refreshToken);

    // Tab A loads: expiry unknown, it refreshes at once (R1 -> R2).
    const tabA = mountWith(BasicAutoRefresh, a.plugin);
    const vmA = tabA.vm as unknown as AutoRefreshVm;
    await until(() => localStorage.getItem("refreshToken") !== started.refreshToken);
    const r2 = localStorage.getItem("refreshToken")!;
    expect(vmA.currentToken).toBe(localStorage.getItem("token"));

    // Ten minutes later tab B loads R2 from localStorage and refreshes it (R2 -> R3).
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const tabB = mountWith(BasicAutoRefresh, b.plugin);
    const vmB = tabB.vm as unknown as AutoRefreshVm;
    await until(() => localStorage.getItem("refreshToken") !== r2);
    const r3 = localStorage.getItem("refreshToken")!;
    const bRefreshedAt = Date.now();
    // Tab A heard of it and took R3 on, without a request of its own.
    await until(() => vmA.currentToken === vmB.currentToken);
    expect(vmA.currentToken).toBe(localStorage.getItem("token"));
    expect([a.counter.count(REFRESH), b.counter.count(REFRESH)]).toEqual([1, 1]);

    // A's old due time (R2's expiry - 5 min, 45 minutes from now) passes without a request: the
    // next one is R3's, 55 minutes after B's refresh, and both tabs spend R3 once between them.
    await advanceUntil(() => a.counter.count(REFRESH) + b.counter.count(REFRESH) > 2, 2 * 3600_000);
    expect(Date.now()).toBeGreaterThanOrEqual(bRefreshedAt + 55 * 60_000 - 10_000);
    await until(() => localStorage.getItem("refreshToken") !== r3 && vmA.currentToken === vmB.currentToken && vmA.currentToken === localStorage.getItem("token"));
    await realDelay(50);
    expect(a.counter.count(REFRESH) + b.counter.count(REFRESH)).toBe(3);
    expect(vmA.isActive && vmB.isActive).toBe(true);
    expect(consoleErrors).toEqual([]);
    await expectAlive(localStorage.getItem("token")!, started.sessionId);
    tabA.unmount();
    tabB.unmount();
  });

  test("an auto-refresh stopped in the first tab restarts from the pair the second tab got (the plugin keeps it)", async () => {
    const a = testClient(server.current);
    const b = testClient(server.current);
    const refreshed: string[] = [];
    const exposed = {} as { auto: UseSessionAutoRefreshReturn };
    const component = defineComponent({
      setup() {
        exposed.auto = useSessionAutoRefresh({ tag, refreshToken: () => localStorage.getItem("refreshToken"), onRefresh: (r) => void refreshed.push(r.refreshToken) });
        return () => h("div");
      },
    });
    const started = await startSession(a.client);
    localStorage.setItem("token", started.token);
    localStorage.setItem("refreshToken", started.refreshToken);
    const tabA = mountWith(component, a.plugin);
    exposed.auto.start();
    await until(() => refreshed.length === 1);
    exposed.auto.stop();
    // The app forgets to store the pair (or stored it elsewhere): localStorage keeps R1.
    const r2 = refreshed[0]!;

    // Tab B refreshes R2, which tab A's app holds.
    const r3 = await b.client.sessions.refresh({ tag, refreshToken: r2 });
    await until(() => a.plugin.context.sessions.latest(tag)?.refreshToken === r3.refreshToken);
    // Stopped: not told to onRefresh, but the app's memory has R3, so start() continues from it.
    expect(refreshed).toEqual([r2]);
    exposed.auto.start();
    expect(exposed.auto.currentToken.value).toBe(r3.token);
    await realDelay(50);
    expect(a.counter.count(REFRESH)).toBe(1);
    await expectAlive(r3.token, started.sessionId);
    tabA.unmount();
  });
});

describe("a refresh in flight when the auto-refresh ends", () => {
  test("unmounted (a route change) while the on-mount refresh is in flight: onRefresh still stores the new pair, the next load goes on", async () => {
    const a = testClient(server.current);
    const started = await startSession(a.client);
    localStorage.setItem("token", started.token);
    localStorage.setItem("refreshToken", started.refreshToken);
    const page = mountWith(BasicAutoRefresh, a.plugin); // refresh of R1 sent
    expect(a.counter.count(REFRESH)).toBe(0); // (sent once the coordination let it go)
    page.unmount(); // the user navigates away before the answer
    await until(() => localStorage.getItem("refreshToken") !== started.refreshToken);
    expect(a.counter.count(REFRESH)).toBe(1);
    const r2 = localStorage.getItem("refreshToken")!;

    // The next page load (a new client) refreshes the stored R2: not a reuse.
    const b = testClient(server.current);
    const next = mountWith(BasicAutoRefresh, b.plugin);
    await until(() => localStorage.getItem("refreshToken") !== r2);
    expect(b.counter.count(REFRESH)).toBe(1);
    expect(consoleErrors).toEqual([]);
    await expectAlive(localStorage.getItem("token")!, started.sessionId);
    next.unmount();
  });

  test("stop() while a refresh is in flight: onRefresh gets the new pair, nothing more is scheduled", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const a = testClient(server.current);
    const started = await startSession(a.client);
    localStorage.setItem("token", started.token);
    localStorage.setItem("refreshToken", started.refreshToken);
    const page = mountWith(BasicAutoRefresh, a.plugin);
    const vm = page.vm as unknown as AutoRefreshVm;
    vm.stop();
    expect(vm.isActive).toBe(false);
    await until(() => localStorage.getItem("refreshToken") !== started.refreshToken);
    expect(vm.currentToken).toBe(localStorage.getItem("token"));
    expect(vm.isActive).toBe(false);
    await vi.advanceTimersByTimeAsync(3 * 3600_000);
    await realDelay(50);
    expect(a.counter.count(REFRESH)).toBe(1);
    expect(consoleErrors).toEqual([]);
    await expectAlive(localStorage.getItem("token")!, started.sessionId);
  });
});
