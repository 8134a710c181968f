// The plugin and useHallpass, and the publishable-key refusal of every session composable.
import { Hallpass, HallpassError } from "@hallpass/client";
import { mount } from "@vue/test-utils";
import { describe, expect, test, vi } from "vitest";
import { createApp, defineComponent, h } from "vue";
import {
  createHallpass,
  useHallpass,
  useSessionAutoRefresh,
  useSessionList,
  useSessionReauthenticate,
  useSessionRefresh,
  useSessionRevoke,
  useSessionRevokeAll,
  useSessionStart,
  useSessionUpdate,
  useSessionUpdateAll,
  useSessionVerify,
} from "../src/index.js";
import { countingFetch, mountWith, testClient, useServer } from "./support.js";

const server = useServer();
/** Mount options that keep Vue's warnings about a setup that threw out of the output. */
const quiet = { global: { config: { warnHandler: () => {} } } };

/** A component whose setup runs `use` and records what it answered or threw. */
function probe(use: () => unknown) {
  const seen: { value?: unknown; thrown?: unknown } = {};
  const component = defineComponent({
    setup() {
      try {
        seen.value = use();
      } catch (error) {
        seen.thrown = error;
        throw error;
      }
      return () => h("div");
    },
  });
  return { component, seen };
}

describe("createHallpass / useHallpass", () => {
  test("the plugin built from options provides a client that reaches the server", async () => {
    const counter = countingFetch();
    const plugin = createHallpass({ url: server.current.url, accessKey: server.current.accessKey, fetch: counter.fetch });
    const { component, seen } = probe(() => useHallpass());
    mountWith(component, plugin);
    expect(seen.value).toBeInstanceOf(Hallpass);
    expect(seen.value).toBe(plugin.client);
    const started = await plugin.client.sessions.start({ tag: "user-session", data: { userId: "u-plugin", email: "p@example.com" } });
    expect(started.identifier).toBe("u-plugin");
    expect(counter.paths).toEqual(["/v1/sessions/start"]);
  });

  test("the plugin accepts a client built by the app, and provides that very client", () => {
    const { client, plugin } = testClient(server.current);
    const { component, seen } = probe(() => useHallpass());
    mountWith(component, plugin);
    expect(seen.value).toBe(client);
  });

  test("without the plugin useHallpass and every composable throw a clear Error during setup", () => {
    for (const use of [useHallpass, () => useSessionStart(), () => useSessionAutoRefresh({ tag: "user-session", refreshToken: "" })]) {
      const { component, seen } = probe(use);
      expect(() => mount(component, quiet)).toThrow(/install the plugin first with app\.use\(createHallpass/);
      expect(seen.thrown).toBeInstanceOf(Error);
      expect(seen.thrown).not.toBeInstanceOf(HallpassError);
    }
  });

  test("outside setup useHallpass says where it must be called", () => {
    expect(() => useHallpass()).toThrow(/must be called inside a component's setup\(\)/);
  });

  test("app.runWithContext gives code outside components the client", () => {
    const { client, plugin } = testClient(server.current);
    const app = createApp({ render: () => null });
    app.use(plugin);
    expect(app.runWithContext(() => useHallpass())).toBe(client);
  });
});

describe("closing the client on app.unmount", () => {
  test("a client the plugin built is closed when the app is unmounted", () => {
    const plugin = createHallpass({ url: server.current.url, accessKey: server.current.accessKey });
    const close = vi.spyOn(plugin.client, "close");
    const app = createApp({ render: () => null });
    app.use(plugin);
    app.mount(document.createElement("div"));
    expect(close).not.toHaveBeenCalled();
    app.unmount();
    expect(close).toHaveBeenCalledTimes(1);
  });

  test("a client given to the plugin is left open (the app owns it)", () => {
    const { client, plugin } = testClient(server.current);
    const close = vi.spyOn(client, "close");
    const app = createApp({ render: () => null });
    app.use(plugin);
    app.mount(document.createElement("div"));
    app.unmount();
    expect(close).not.toHaveBeenCalled();
  });
});

describe("publishable key", () => {
  const composables: Array<[string, () => unknown]> = [
    ["useSessionStart", () => useSessionStart()],
    ["useSessionVerify", () => useSessionVerify()],
    ["useSessionRefresh", () => useSessionRefresh()],
    ["useSessionRevoke", () => useSessionRevoke()],
    ["useSessionRevokeAll", () => useSessionRevokeAll()],
    ["useSessionList", () => useSessionList()],
    ["useSessionUpdate", () => useSessionUpdate()],
    ["useSessionUpdateAll", () => useSessionUpdateAll()],
    ["useSessionReauthenticate", () => useSessionReauthenticate()],
    ["useSessionAutoRefresh", () => useSessionAutoRefresh({ tag: "user-session", refreshToken: "hp_rt_x" })],
  ];

  test.each(composables)("%s throws publishable_key_forbidden during setup, and nothing is sent", (name, use) => {
    const { plugin, counter } = testClient(server.current, countingFetch(), {}, "publishable");
    const { component, seen } = probe(use);
    expect(() => mountWith(component, plugin, quiet)).toThrow(HallpassError);
    expect(seen.thrown).toBeInstanceOf(HallpassError);
    expect(seen.thrown).toMatchObject({ code: "publishable_key_forbidden", status: 403 });
    expect((seen.thrown as Error).message).toContain(name);
    expect((seen.thrown as Error).message).toMatch(/backend/);
    expect(counter.paths).toEqual([]);
  });

  test("also when the plugin is built from options with a publishable key; useHallpass itself still works", () => {
    const plugin = createHallpass({ url: server.current.url, publishableKey: server.current.publishableKey });
    const { component, seen } = probe(() => useHallpass());
    mountWith(component, plugin);
    expect(seen.value).toBe(plugin.client);
    const failing = probe(() => useSessionVerify());
    expect(() => mountWith(failing.component, plugin, quiet)).toThrow(/not available with a publishable key/);
  });
});
