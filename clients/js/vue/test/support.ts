// Shared helpers of the @hallpass/vue tests: a real hallpass server per test file, a fetch that
// counts requests, mounting with the plugin, and waiting on real I/O while timers are fake.
import { Hallpass, type HallpassOptions, type LockManagerLike } from "@hallpass/client";
import { mount, type ComponentMountingOptions } from "@vue/test-utils";
import { afterAll, beforeAll } from "vitest";
import type { Component } from "vue";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import { createHallpass, type HallpassPlugin } from "../src/index.js";

/** Starts one server for the calling test file (beforeAll) and stops it afterwards. */
export function useServer(): { readonly current: RunningHallpass } {
  const holder: { current?: RunningHallpass } = {};
  beforeAll(async () => {
    holder.current = await startHallpass();
  });
  afterAll(async () => {
    await holder.current?.stop();
  });
  return {
    get current(): RunningHallpass {
      if (!holder.current) throw new Error("the server is not started yet (use it inside a test)");
      return holder.current;
    },
  };
}

/** A `fetch` that records the path of every request it sends. */
export interface CountingFetch {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** Paths of every request sent so far, e.g. `/v1/sessions/refresh`. */
  paths: string[];
  /** How many requests went to `path`. */
  count(path: string): number;
}

export function countingFetch(): CountingFetch {
  const paths: string[] = [];
  return {
    paths,
    count: (path) => paths.filter((p) => p === path).length,
    fetch: (input, init) => {
      paths.push(new URL(input).pathname);
      return globalThis.fetch(input, init);
    },
  };
}

/**
 * Web Locks as browsers have them (`navigator.locks`), which happy-dom lacks: one lock manager
 * for the whole test file, as for the tabs of one browser. Without it the client coordinates
 * tabs over BroadcastChannel alone, which waits `settleMs` (a setTimeout) before each refresh,
 * and that wait would only end when a test advances its fake timers.
 */
export const webLocks: LockManagerLike = (() => {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T> {
      const run = (tails.get(name) ?? Promise.resolve()).then(() => callback({ name, mode: "exclusive" }));
      const tail = run.catch(() => undefined);
      tails.set(name, tail);
      void tail.then(() => {
        if (tails.get(name) === tail) tails.delete(name);
      });
      return run;
    },
  };
})();

/** A client of the test server with an access key (or publishable one) and a counting fetch. */
export function testClient(
  server: RunningHallpass,
  counter: CountingFetch = countingFetch(),
  extra: Partial<HallpassOptions> = {},
  key: "access" | "publishable" = "access",
): { client: Hallpass; plugin: HallpassPlugin; counter: CountingFetch } {
  const keyOption = key === "access" ? { accessKey: server.accessKey } : { publishableKey: server.publishableKey };
  const client = new Hallpass({
    url: server.url,
    ...keyOption,
    fetch: counter.fetch,
    refreshCoordination: { locks: webLocks },
    ...extra,
  } as HallpassOptions);
  return { client, plugin: createHallpass(client), counter };
}

/** Mounts a component with the plugin installed (and optionally an app errorHandler). */
export function mountWith<C extends Component>(
  component: C,
  plugin: HallpassPlugin,
  options: ComponentMountingOptions<C> & { errorHandler?: (error: unknown) => void } = {},
) {
  const { errorHandler, ...rest } = options;
  return mount(component, {
    ...rest,
    global: {
      ...rest.global,
      plugins: [...(rest.global?.plugins ?? []), plugin],
      config: { ...rest.global?.config, ...(errorHandler ? { errorHandler } : {}) },
    },
  } as ComponentMountingOptions<C>);
}

/** One turn of the real event loop (setImmediate is never faked in these tests). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits, on real time (performance.now, not the possibly fake Date), until `check` stops
 * throwing (or returns something other than false). Needed because the network is real while
 * timers may be fake.
 */
export async function until(check: () => unknown, timeoutMs = 5_000): Promise<void> {
  const started = performance.now();
  for (;;) {
    try {
      if (check() !== false) return;
      if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    } catch (error) {
      if (performance.now() - started > timeoutMs) throw error;
    }
    await tick();
  }
}

/** Waits `ms` of real time without using (possibly fake) timers. */
export async function realDelay(ms: number): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < ms) await tick();
}

/** A fresh user id, so tests do not see each other's sessions. */
let users = 0;
export function newUser(): { userId: string; email: string } {
  users += 1;
  const userId = `user-${process.pid}-${Date.now().toString(36)}-${users}`;
  return { userId, email: `${userId}@example.com` };
}

/** Starts a session directly with the client (test setup, not under test). */
export async function startSession(client: Hallpass, user = newUser(), extra: { expiresIn?: number } = {}) {
  const result = await client.sessions.start({ tag: "user-session", data: user, identifier: user.userId, ...extra });
  return { user, ...result };
}
