// @vitest-environment node
// useSession, useSignOut, useBrowserSessions and useRevokeBrowserSession against the real binary,
// with the cookies a backend forwarded at login in a tough-cookie jar (the Chromium tests in
// interop/browser use a real browser's). Node's own fetch, so that the jar's Cookie header is sent.
import makeFetchCookie from "fetch-cookie";
import { CookieJar } from "tough-cookie";
import { beforeAll, describe, expect, test } from "vitest";
import { createApp, effectScope } from "vue";
import { Hallpass, type FetchLike } from "@hallpass/client";
import {
  createBrowserClient,
  createHallpassBrowser,
  useBrowserSessions,
  useRevokeBrowserSession,
  useSession,
  useSignOut,
  type BrowserClient,
} from "../src/index.js";
import { newUser, until, useServer } from "./support.js";

const server = useServer();
const tag = "user-session";

beforeAll(async () => {
  const types = new Hallpass({ url: server.current.url, accessKey: server.current.productKey, env: "dev" });
  await types.sessionTypes.update(tag, { cookie: { secure: false } });
});

/** A browser signed in by the backend: its client, and the session the backend started. */
async function signedInBrowser(user = newUser()) {
  const jar = new CookieJar();
  const backend = new Hallpass({ url: server.current.url, accessKey: server.current.accessKey });
  const started = await backend.sessions.start({ tag, data: user, identifier: user.userId });
  for (const cookie of started.cookies ?? []) await jar.setCookie(cookie, server.current.url);
  const client = createBrowserClient({
    baseURL: server.current.url,
    product: "demo",
    env: "dev",
    tag,
    fetch: makeFetchCookie(fetch, jar) as unknown as FetchLike,
    broadcast: false,
  });
  return { client, started, backend, user };
}

/** Runs composables in an effect scope, as a component's setup would; answers what `run` returns and the scope. */
function inScope<T>(run: () => T) {
  const scope = effectScope();
  const value = scope.run(run) as T;
  return { value, scope };
}

describe("useSession", () => {
  test("is pending, then holds the session and its data", async () => {
    const { client, started, user } = await signedInBrowser();
    const { value: session, scope } = inScope(() => useSession(client));
    expect(session.isPending.value).toBe(true);
    await until(() => !session.isPending.value);
    expect(session.error.value).toBeNull();
    expect(session.data.value?.session.sessionId).toBe(started.sessionId);
    expect(session.data.value?.data).toEqual(user);
    scope.stop();
  });

  test("useSignOut signs out: useSession shows it, and the token no longer verifies", async () => {
    const { client, started, backend } = await signedInBrowser();
    const { value, scope } = inScope(() => ({ session: useSession(client), signOut: useSignOut(undefined, client) }));
    await until(() => value.session.data.value !== null);
    expect(await value.signOut.mutate()).toEqual({ revoked: true });
    expect(value.session.data.value).toBeNull();
    expect(value.session.error.value).toBeNull();
    await expect(backend.sessions.verify({ tag, token: started.token })).rejects.toMatchObject({ code: "session_revoked" });
    scope.stop();
  });

  test("the devices of the user, the current one marked; revoking another ends its session", async () => {
    const user = newUser();
    const laptop = await signedInBrowser(user);
    const phone = await signedInBrowser(user);
    const { value, scope } = inScope(() => ({
      devices: useBrowserSessions(undefined, laptop.client),
      revoke: useRevokeBrowserSession(undefined, laptop.client),
    }));
    const list = await value.devices.mutate();
    expect(list?.count).toBe(2);
    expect(list?.sessions.find((s) => s.current)?.sessionId).toBe(laptop.started.sessionId);
    expect(await value.revoke.mutate(phone.started.sessionId)).toEqual({ revoked: true });
    expect(await phone.client.getSession()).toEqual({ data: null, error: null });
    // Revoking a session that is not the user's is refused, and the composable says so.
    expect(await value.revoke.mutate("01J00000000000000000000000")).toBeUndefined();
    expect(value.revoke.error.value?.code).toBe("session_not_found");
    scope.stop();
  });

  test("the plugin provides the client to the composables", async () => {
    const { client, started } = await signedInBrowser();
    const app = createApp({});
    app.use(createHallpassBrowser(client));
    const session = app.runWithContext(() => inScope(() => useSession()).value);
    await until(() => !session.isPending.value);
    expect(session.data.value?.session.sessionId).toBe(started.sessionId);
  });

  test("without a plugin or a client, the composables say what to do", () => {
    expect(() => inScope(() => useSession())).toThrow(/createHallpassBrowser/);
    expect(() => inScope(() => useSignOut())).toThrow(/createHallpassBrowser/);
  });

  test("a scope that ends stops listening: no more fetches for it", async () => {
    const { client } = await signedInBrowser();
    const counted = client as BrowserClient;
    const { value: session, scope } = inScope(() => useSession(counted));
    await until(() => !session.isPending.value);
    expect(counted.$session.lc).toBeGreaterThan(0);
    scope.stop();
    expect(counted.$session.lc).toBe(0);
  });
});
