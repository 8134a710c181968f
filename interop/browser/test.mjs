// The browser sessions of docs/API.md §8 in a real headless Chromium, with real cookies:
// a backend starts the session at login and forwards hallpass's `cookies`; the page then calls
// the browser endpoints with its cookies alone (same origin, through the app's proxy): its
// session, sliding renewal after updateAge, the device list with the current session marked,
// revoking another device, sign-out clearing both cookies; and a cross-site form is refused.
//
// Needs the hallpass binary (HALLPASS_BIN, else ../../target/debug/hallpass) and Chromium
// (CHROMIUM_BIN, else /usr/bin/chromium; `scripts/test.sh` installs Debian's). Run with
// `node --test test.mjs`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { api as apiOf, appServer, listen, startHallpass } from "../support/app.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.HALLPASS_BIN || resolve(here, "../../target/debug/hallpass");
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const TYPE = "user-session";
const BROWSER_BASE = `/v1/browser/demo/dev/${TYPE}`;

let work;
let hallpass; // { url, key, child }
let app; // { url, server }
let elsewhere; // another site: { url, server }
let browser;

/** The hallpass API with the access key (or `key`), as the backend calls it. */
const api = (method, path, body, key) => apiOf(hallpass, method, path, body, key);

/** Another site (`localhost` is another site than `127.0.0.1`) whose page posts a form to the app. */
function otherSite(target) {
  return createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html>
<form id="f" method="POST" action="${target}${BROWSER_BASE}/sign-out"></form>
<script>document.getElementById("f").submit()</script>`);
  });
}

before(async () => {
  assert.ok(existsSync(BIN), `hallpass binary not found at ${BIN} (cargo build -p hallpass-cli)`);
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN)`);
  work = mkdtempSync(join(tmpdir(), "hallpass-browser-"));
  hallpass = await startHallpass(BIN, work);
  // Cookie `sid` (Secure, HttpOnly, SameSite=Lax by default), re-issued once a token is 1 s old.
  await api("PATCH", `/v1/session-types/${TYPE}`, { cookie: { name: "sid" }, updateAge: 1 }, hallpass.typesKey);
  const appServerInstance = appServer(hallpass, TYPE, { "/": ["text/html", "<!doctype html><title>app</title><h1>app</h1>"] });
  app = { server: appServerInstance, url: `http://127.0.0.1:${await listen(appServerInstance)}` };
  const other = otherSite(app.url);
  elsewhere = { server: other, url: `http://localhost:${await listen(other)}` };
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  app?.server.close();
  elsewhere?.server.close();
  hallpass?.child.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A device: its own browser context (cookie jar) with a page on the app, signed in as `user`. */
async function device(user, userAgent) {
  const context = await browser.newContext({ userAgent });
  const page = await context.newPage();
  await page.goto(app.url);
  const login = await page.evaluate(async (user) => {
    const r = await fetch(`/login?user=${user}`, { method: "POST" });
    return r.json();
  }, user);
  return { context, page, sessionId: login.sessionId, expiresAt: login.expiresAt };
}

/** `fetch` from the page (same origin, cookies included by the browser itself). */
function call(page, method, path, headers = {}) {
  return page.evaluate(
    async ([method, url, headers]) => {
      const r = await fetch(url, { method, headers });
      return { status: r.status, body: await r.json() };
    },
    [method, `${BROWSER_BASE}${path}`, headers],
  );
}

const CSRF = { "X-Hallpass-CSRF": "1" };

test("browser sessions in Chromium: session by cookie, sliding renewal, device list, revoke another device, sign-out", async () => {
  const laptop = await device("ada", "Laptop Firefox");
  const phone = await device("ada", "Phone Safari");

  // The cookies are in the browser, httpOnly: page scripts cannot read them.
  const cookies = await laptop.context.cookies();
  const sid = cookies.find((c) => c.name === "sid");
  const refresh = cookies.find((c) => c.name === "sid.refresh");
  assert.ok(sid && refresh, `cookies set: ${cookies.map((c) => c.name)}`);
  assert.equal(sid.httpOnly, true);
  assert.equal(sid.sameSite, "Lax");
  assert.equal(refresh.path, `${BROWSER_BASE}/refresh`);
  assert.equal(await laptop.page.evaluate(() => document.cookie), "");

  // The session, by the cookie alone.
  const first = await call(laptop.page, "GET", "/session");
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.session.sessionId, laptop.sessionId);
  assert.equal(first.body.session.identifier, "ada");
  assert.equal(first.body.data.email, "ada@example.com");

  // Sliding renewal: once the token is older than updateAge (1 s; tokens are issued on whole
  // seconds, so the first read may already have slid), new cookies come back.
  await new Promise((r) => setTimeout(r, 2100));
  const slid = await call(laptop.page, "GET", "/session");
  assert.equal(slid.status, 200);
  assert.ok(Date.parse(slid.body.session.expiresAt) > Date.parse(laptop.expiresAt), "a later expiry than at login");
  const renewed = (await laptop.context.cookies()).find((c) => c.name === "sid");
  assert.notEqual(renewed.value, sid.value, "the browser holds the re-issued token");

  // The refresh cookie is sent only to the refresh endpoint, and rotates both cookies.
  const refreshed = await call(laptop.page, "POST", "/refresh", CSRF);
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  const rotated = (await laptop.context.cookies()).find((c) => c.name === "sid.refresh");
  assert.notEqual(rotated.value, refresh.value);

  // The device list: both of ada's sessions, this one marked current, with their devices.
  const listed = await call(laptop.page, "GET", "/sessions");
  assert.equal(listed.status, 200);
  assert.equal(listed.body.count, 2);
  const byId = Object.fromEntries(listed.body.sessions.map((s) => [s.sessionId, s]));
  assert.equal(byId[laptop.sessionId].current, true);
  assert.equal(byId[phone.sessionId].current, false);
  assert.equal(byId[phone.sessionId].device.userAgent, "Phone Safari");

  // Revoke the phone from the laptop: the phone is signed out, the laptop is not.
  const revoked = await call(laptop.page, "DELETE", `/sessions/${phone.sessionId}`, CSRF);
  assert.deepEqual(revoked, { status: 200, body: { revoked: true } });
  const phoneNow = await call(phone.page, "GET", "/session");
  assert.equal(phoneNow.status, 401);
  assert.equal(phoneNow.body.error.code, "session_revoked");
  assert.equal((await call(laptop.page, "GET", "/session")).status, 200);

  // Sign out: revoked, and the browser holds neither cookie any more.
  const signedOut = await call(laptop.page, "POST", "/sign-out", CSRF);
  assert.deepEqual(signedOut, { status: 200, body: { revoked: true } });
  assert.deepEqual((await laptop.context.cookies()).map((c) => c.name), []);
  const after = await call(laptop.page, "GET", "/session");
  assert.equal(after.status, 401);
  assert.equal(after.body.error.code, "unauthorized");

  await laptop.context.close();
  await phone.context.close();
});

test("a same-origin call without the CSRF header and a cross-site form are refused with csrf_rejected", async () => {
  const laptop = await device("grace", "Laptop Chrome");
  const bare = await call(laptop.page, "POST", "/sign-out");
  assert.equal(bare.status, 403);
  assert.equal(bare.body.error.code, "csrf_rejected");

  const attack = await laptop.context.newPage();
  await attack.goto(elsewhere.url);
  await attack.waitForURL(`${app.url}${BROWSER_BASE}/sign-out`);
  const answer = JSON.parse(await attack.evaluate(() => document.body.innerText));
  assert.equal(answer.error.code, "csrf_rejected");

  const still = await call(laptop.page, "GET", "/session");
  assert.equal(still.status, 200, "still signed in");
  assert.ok((await laptop.context.cookies()).some((c) => c.name === "sid"), "cookies kept");
  await laptop.context.close();
});
