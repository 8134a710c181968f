// Seed 004's frontend examples in a real headless Chromium, against the real binary behind a
// same-origin app: the React `UserStatus` and `AuthProvider` (app/react.jsx, the documented code of Nevr's auth client,
// with only the client import changed) over @hallpass/client/browser and @nanostores/react, and
// the Vue equivalent (app/vue.js) over @hallpass/vue. Each is bundled with esbuild and:
// logged out → "Not logged in"; after a backend login forwarding hallpass's cookies → "Welcome,
// …"; sign-out in a second tab → the first tab shows logged out (told by BroadcastChannel, and
// on focus); the device list marks the current session; revoking another device makes that
// device read logged out.
//
// Needs the hallpass binary (HALLPASS_BIN, else ../../target/debug/hallpass), Chromium
// (CHROMIUM_BIN, else /usr/bin/chromium) and the built clients/js packages (their committed
// dist/). Run with `node --test test.mjs`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { appServer, listen, startHallpass } from "../support/app.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.HALLPASS_BIN || resolve(here, "../../target/debug/hallpass");
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const TYPE = "user-session";

let work;
let hallpass;
let app;
let browser;

/** The app's bundle for the browser, from `entry`, resolved inside this folder's node_modules. */
async function bundle(entry) {
  const result = await build({
    entryPoints: [join(here, "app", entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    jsx: "automatic",
    preserveSymlinks: true,
    define: { "process.env.NODE_ENV": '"production"', __VUE_OPTIONS_API__: "true", __VUE_PROD_DEVTOOLS__: "false", __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false" },
    logLevel: "error",
  });
  return result.outputFiles[0].text;
}

function page(script) {
  return ["text/html", `<!doctype html><title>app</title><div id="app"></div><script type="module" src="${script}"></script>`];
}

before(async () => {
  assert.ok(existsSync(BIN), `hallpass binary not found at ${BIN} (cargo build -p hallpass-cli)`);
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN)`);
  work = mkdtempSync(join(tmpdir(), "hallpass-frontend-"));
  hallpass = await startHallpass(BIN, work);
  // `serve --dev`'s type as it is: its cookie is what a frontend developer starts with.
  const [react, vue] = await Promise.all([bundle("react.jsx"), bundle("vue.js")]);
  const server = appServer(hallpass, TYPE, {
    "/react": page("/react.js"),
    "/vue": page("/vue.js"),
    "/react.js": ["text/javascript", react],
    "/vue.js": ["text/javascript", vue],
  });
  app = { server, url: `http://127.0.0.1:${await listen(server)}` };
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  app?.server.close();
  hallpass?.child.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Waits until the page's text contains `text`. */
async function shows(tab, text, timeout = 5_000) {
  try {
    await tab.waitForFunction((t) => document.body.innerText.includes(t), text, { timeout });
  } catch (error) {
    const seen = await tab.evaluate(() => document.body.innerText);
    throw new Error(`expected the page to show "${text}", it shows "${seen}"`, { cause: error });
  }
}

/** The backend's login, from the page: the app starts the session and forwards the cookies. */
function login(tab, user, name) {
  return tab.evaluate(async ([user, name]) => (await fetch(`/login?user=${user}&name=${encodeURIComponent(name)}`, { method: "POST" })).json(), [user, name]);
}

for (const framework of ["react", "vue"]) {
  test(`${framework}: the documented components follow the session through login, sign-out in another tab, and devices`, async () => {
    const user = `ada-${framework}`;
    const laptop = await browser.newContext({ userAgent: "Laptop" });
    // A long refetch interval: what tells the first tab of the second's sign-out is the
    // BroadcastChannel (or focus), not the timer.
    const first = await laptop.newPage();
    await first.goto(`${app.url}/${framework}?refetch=600`);
    await shows(first, "Not logged in");

    const signedIn = await login(first, user, "Ada Lovelace");
    await first.reload();
    await shows(first, "Welcome, Ada Lovelace!");
    // The documented Dashboard through AuthProvider/useAuth (React) or useSession (Vue).
    await shows(first, "Sign Out");
    // Tokens stay in httpOnly cookies: nothing for page scripts.
    assert.equal(await first.evaluate(() => document.cookie), "");

    const second = await laptop.newPage();
    await second.goto(`${app.url}/${framework}?refetch=600`);
    await shows(second, "Welcome, Ada Lovelace!");
    await second.getByText("Sign Out").click();
    await shows(second, "Not logged in");
    await shows(first, "Not logged in");

    // Devices: the laptop signs in again, a phone signs in as the same user.
    const again = await login(first, user, "Ada Lovelace");
    await first.reload();
    await shows(first, "Welcome, Ada Lovelace!");
    const phone = await browser.newContext({ userAgent: "Phone" });
    const phoneTab = await phone.newPage();
    await phoneTab.goto(`${app.url}/${framework}?refetch=1`);
    const onPhone = await login(phoneTab, user, "Ada on the phone");
    await shows(phoneTab, "Welcome, Ada on the phone!");

    const list = await first.evaluate(async () => (await window.hallpassClient.listSessions()).data);
    assert.equal(list.count, 2);
    assert.deepEqual(list.sessions.filter((s) => s.current).map((s) => s.sessionId), [again.sessionId]);
    assert.notEqual(again.sessionId, signedIn.sessionId);
    const revoked = await first.evaluate(async (id) => (await window.hallpassClient.revokeSession(id)).data, onPhone.sessionId);
    assert.deepEqual(revoked, { revoked: true });
    // The phone's next read (its 1 s refetch) finds the session revoked: logged out.
    await shows(phoneTab, "Not logged in");
    await shows(first, "Welcome, Ada Lovelace!");

    await phone.close();
    await laptop.close();
  });
}
