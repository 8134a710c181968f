// @hallpass/client/browser against the real binary: a backend starts the session and forwards
// hallpass's cookies, and the browser client, with only those cookies (a tough-cookie jar stands
// in for the browser's; the Chromium tests in interop/browser use a real one), reads its
// session, refreshes, lists and revokes devices and signs out; `$session` follows.
import { spawn } from "node:child_process";
import makeFetchCookie from "fetch-cookie";
import { CookieJar } from "tough-cookie";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBrowserClient, type BrowserClient, type BrowserSessionState } from "../src/browser.js";
import { Hallpass, type FetchLike } from "../src/index.js";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import { countingFetch, unique, userData } from "./helpers.js";

const tag = "user-session";
let server: RunningHallpass;
let backend: Hallpass;

beforeAll(async () => {
  server = await startHallpass();
  backend = new Hallpass({ url: server.url, accessKey: server.accessKey });
  // Browser sessions need the type's cookie settings; over plain http the cookie is not Secure.
  const types = new Hallpass({ url: server.url, accessKey: server.productKey, env: "dev" });
  await types.sessionTypes.update(tag, { cookie: { secure: false } });
});
afterAll(async () => {
  await server?.stop();
});

/** A browser: a cookie jar, and a fetch that keeps it (and records what it sends). */
function newBrowser() {
  const jar = new CookieJar();
  const withCookies = makeFetchCookie(fetch, jar) as unknown as FetchLike;
  const counter = countingFetch(withCookies);
  return { jar, ...counter };
}

/** The backend's login: starts a session and hands the browser the `Set-Cookie` values. */
async function login(browser: ReturnType<typeof newBrowser>, userId = unique("user")) {
  const started = await backend.sessions.start({ tag, data: userData(userId), identifier: userId });
  expect(started.cookies).toHaveLength(2);
  for (const cookie of started.cookies ?? []) await browser.jar.setCookie(cookie, server.url);
  return { ...started, userId };
}

function client(browser: ReturnType<typeof newBrowser>, more: Partial<Parameters<typeof createBrowserClient>[0]> = {}): BrowserClient {
  return createBrowserClient({ baseURL: server.url, product: "demo", env: "dev", tag, fetch: browser.fetch, broadcast: false, ...more });
}

/** Resolves with the first value of `$session` that `accept` takes. */
function storeValue(c: BrowserClient, accept: (state: BrowserSessionState) => boolean): Promise<BrowserSessionState> {
  return new Promise((done) => {
    const unsubscribe = c.$session.subscribe((state) => {
      if (accept(state)) {
        queueMicrotask(() => unsubscribe());
        done(state);
      }
    });
  });
}

describe("createBrowserClient", () => {
  test("a browser without cookies is signed out, which is not an error", async () => {
    const c = client(newBrowser());
    expect(await c.getSession()).toEqual({ data: null, error: null });
  });

  test("after login the session and its data are read with the cookies alone, never a key", async () => {
    const browser = newBrowser();
    const started = await login(browser);
    const { data, error } = await client(browser).getSession();
    expect(error).toBeNull();
    expect(data?.session.sessionId).toBe(started.sessionId);
    expect(data?.session.identifier).toBe(started.userId);
    expect(data?.data).toEqual(userData(started.userId));
    // The name Nevr-style code reads the data by: `data.user.email`.
    expect(data?.user.email).toBe(`${started.userId}@example.com`);
    for (const sent of browser.sent) expect(sent.headers.Authorization).toBeUndefined();
  });

  test("state changes carry the CSRF header; reads do not need it", async () => {
    const browser = newBrowser();
    await login(browser);
    const c = client(browser);
    expect((await c.refresh()).error).toBeNull();
    expect((await c.signOut()).data).toEqual({ revoked: true });
    const byPath = (suffix: string) => browser.sent.find((s) => s.url.pathname.endsWith(suffix));
    expect(byPath("/refresh")?.headers["X-Hallpass-CSRF"]).toBe("1");
    expect(byPath("/sign-out")?.headers["X-Hallpass-CSRF"]).toBe("1");
  });

  test("when the token cookie is gone, getSession refreshes through the refresh cookie once", async () => {
    const browser = newBrowser();
    const started = await login(browser);
    // What the browser does when the token cookie expires: it stops sending it.
    await browser.jar.setCookie("hallpass.session=; Path=/; Max-Age=0", server.url);
    const { data, error } = await client(browser).getSession();
    expect(error).toBeNull();
    expect(data?.session.sessionId).toBe(started.sessionId);
    expect(browser.sent.map((s) => `${s.method} ${s.url.pathname.split("/").pop()}`)).toEqual(["GET session", "POST refresh", "GET session"]);
  });

  test("sign-out revokes the session: the store and a second read both show signed out", async () => {
    const browser = newBrowser();
    const started = await login(browser);
    const c = client(browser);
    const signedIn = await storeValue(c, (s) => !s.isPending);
    expect(signedIn.data?.session.sessionId).toBe(started.sessionId);
    const signingOut = storeValue(c, (s) => !s.isPending && s.data === null);
    expect((await c.signOut()).data).toEqual({ revoked: true });
    expect((await signingOut).error).toBeNull();
    expect(await c.getSession()).toEqual({ data: null, error: null });
    await expect(backend.sessions.verify({ tag, token: started.token })).rejects.toMatchObject({ code: "session_revoked" });
  });

  test("the device list marks this browser; revoking another device signs that one out on its next read", async () => {
    const userId = unique("user");
    const laptop = newBrowser();
    const phone = newBrowser();
    const onLaptop = await login(laptop, userId);
    const onPhone = await login(phone, userId);
    const laptopClient = client(laptop);
    const phoneClient = client(phone);
    const { data: list } = await laptopClient.listSessions();
    expect(list?.count).toBe(2);
    const current = list?.sessions.filter((s) => s.current).map((s) => s.sessionId);
    expect(current).toEqual([onLaptop.sessionId]);
    expect((await laptopClient.revokeSession(onPhone.sessionId)).data).toEqual({ revoked: true });
    expect(await phoneClient.getSession()).toEqual({ data: null, error: null });
    expect((await laptopClient.getSession()).data?.session.sessionId).toBe(onLaptop.sessionId);
  });

  test("$session refetches on its interval and sees a revocation made elsewhere", async () => {
    const browser = newBrowser();
    const started = await login(browser);
    const c = client(browser, { session: { refetchInterval: 0.2, refetchOnWindowFocus: false } });
    const signedIn = await storeValue(c, (s) => !s.isPending);
    expect(signedIn.data?.session.sessionId).toBe(started.sessionId);
    await backend.sessions.revoke({ tag, sessionId: started.sessionId });
    const after = await storeValue(c, (s) => s.data === null);
    expect(after).toMatchObject({ data: null, error: null, isPending: false });
  });

  test("a server that cannot be reached is an error, in the answer and in the store", async () => {
    const browser = newBrowser();
    await login(browser);
    const down = createBrowserClient({ baseURL: "http://127.0.0.1:9", product: "demo", env: "dev", tag, broadcast: false });
    const result = await down.getSession();
    expect(result.data).toBeNull();
    expect(result.error?.code).toBe("network_error");
    const state = await storeValue(down, (s) => !s.isPending);
    expect(state.error?.code).toBe("network_error");
    expect(state.data).toBeNull();
  });

  test("an unknown session type is an error naming it, not a signed-out browser", async () => {
    const c = createBrowserClient({ baseURL: server.url, product: "demo", env: "dev", tag: "no-such-type", fetch: newBrowser().fetch });
    const { data, error } = await c.getSession();
    expect(data).toBeNull();
    expect(error?.code).toBe("session_type_not_found");
  });

  test("client.auth has the same methods, as Nevr-style frontends call them", async () => {
    const browser = newBrowser();
    const started = await login(browser);
    const c = client(browser);
    expect((await c.auth.getSession()).data?.session.sessionId).toBe(started.sessionId);
    expect((await c.auth.signOut()).data).toEqual({ revoked: true });
    expect(await c.getSession()).toEqual({ data: null, error: null });
  });

  test("a client made on a server (SSR) lets the Node process exit: no channel is left open", async () => {
    // The built package, as a server imports it.
    const source = new URL("../dist/browser.js", import.meta.url).href;
    const script = `const { createBrowserClient } = await import(${JSON.stringify(source)});
      const c = createBrowserClient({ baseURL: "http://127.0.0.1:9", product: "demo", env: "dev", tag: "t" });
      await c.signOut();`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
    const code = await Promise.race([
      new Promise((done) => child.once("exit", done)),
      new Promise((done) => setTimeout(() => done("still running"), 8_000)),
    ]);
    child.kill();
    expect(code).toBe(0);
  });

  test("missing product, env or tag is refused when the client is made", () => {
    expect(() => createBrowserClient({ product: "demo", env: "", tag })).toThrow(/needs env/);
  });
});
