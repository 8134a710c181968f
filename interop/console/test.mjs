// The console of docs/API.md §16 in a real headless Chromium against the real binary: an
// operator signs in with a key (the browser keeps only an httpOnly console cookie), finds a
// user's sessions by identifier, revokes one after confirming (its token then answers 401 over
// HTTP, the other still verifies), sees the revocation in the audit log, creates an access key
// and uses it over HTTP, rotates a signing key and finds it in the JWKS, and signs out (the
// old cookie then answers 401). axe-core
// runs on every screen; no screen may break the page's Content-Security-Policy or scroll
// sideways at 375 px. Screenshots of each screen go to CONSOLE_SCREENSHOTS (default
// ../../target/console-screenshots), not committed.
//
// Needs the hallpass binary (HALLPASS_BIN, else ../../target/debug/hallpass) and Chromium
// (CHROMIUM_BIN, else /usr/bin/chromium). Run with `node --test test.mjs`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { api as apiOf, startHallpass } from "../support/app.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.HALLPASS_BIN || resolve(here, "../../target/debug/hallpass");
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const SHOTS = process.env.CONSOLE_SCREENSHOTS || resolve(here, "../../target/console-screenshots");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TYPE = "user-session";

let work;
let hallpass;
let browser;

const api = (method, path, body, key) => apiOf(hallpass, method, path, body, key);

/** Verify over HTTP, as a backend would: the status only. */
async function verifyStatus(token) {
  const response = await fetch(`${hallpass.url}/v1/sessions/verify`, {
    method: "POST",
    headers: { authorization: `Bearer ${hallpass.key}`, "content-type": "application/json" },
    body: JSON.stringify({ tag: TYPE, token }),
  });
  return response.status;
}

before(async () => {
  assert.ok(existsSync(BIN), `hallpass binary not found at ${BIN} (cargo build -p hallpass-cli)`);
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN)`);
  work = mkdtempSync(join(tmpdir(), "hallpass-console-"));
  mkdirSync(SHOTS, { recursive: true });
  hallpass = await startHallpass(BIN, work);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  hallpass?.child.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A console tab at `width` px; every CSP refusal and page error is collected. */
async function consoleTab(width) {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${hallpass.url}/console`);
  return { context, page, problems };
}

/** axe-core on the page as it is now: no serious or critical violation. */
async function axe(page, screen) {
  // Evaluated through the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `axe on ${screen}`,
  );
}

/** Saves a screenshot of the screen and checks it does not scroll sideways. */
async function screen(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${name} scrolls sideways: ${scroll} > ${width}`);
  await axe(page, name);
}

test("an operator revokes a user's session, reads the audit log, makes a key, rotates a signing key, signs out", async () => {
  const first = await api("POST", "/v1/sessions/start", { tag: TYPE, data: { userId: "user-42", email: "a@example.com" }, device: { userAgent: "Laptop" } });
  const second = await api("POST", "/v1/sessions/start", { tag: TYPE, data: { userId: "user-42", email: "a@example.com" } });
  await api("POST", "/v1/sessions/start", { tag: TYPE, data: { userId: "user-7", email: "b@example.com" } });

  const { context, page, problems } = await consoleTab(1280);
  await page.getByLabel("API key").waitFor();
  await screen(page, "sign-in");
  await page.getByLabel("API key").fill("hp_sk_wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("unknown API key").waitFor();

  await page.getByLabel("API key").fill(hallpass.typesKey);
  await page.keyboard.press("Enter");
  await page.getByTestId("who").waitFor();
  const kept = JSON.stringify(await page.evaluate(() => ({ ...localStorage, ...sessionStorage })));
  assert.ok(!kept.includes(hallpass.typesKey), "the key is not kept in the browser");
  const [cookie] = await context.cookies();
  assert.equal(cookie.name, "hallpass-console");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.ok(!cookie.value.includes(hallpass.typesKey));

  await page.getByLabel("Env").selectOption("dev");
  await page.getByLabel("Identifier").fill("user-42");
  await page.getByRole("button", { name: "Find sessions" }).click();
  await page.getByText("2 active sessions of user-42").waitFor();
  assert.equal(await page.locator("tbody tr").count(), 2);
  await screen(page, "sessions");

  // Cancel first: nothing happens; then confirm.
  await page.getByRole("button", { name: `Revoke session ${first.sessionId}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  assert.equal(await verifyStatus(first.token), 200);
  await page.getByRole("button", { name: `Revoke session ${first.sessionId}` }).click();
  await screen(page, "revoke-confirmation");
  await page.getByRole("dialog").getByRole("button", { name: "Revoke session" }).click();
  await page.getByText(`Session ${first.sessionId} revoked.`).waitFor();
  assert.equal(await verifyStatus(first.token), 401, "the revoked session's token is refused");
  assert.equal(await verifyStatus(second.token), 200, "the other session still verifies");

  // The revocation in the audit log.
  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Type").selectOption("session.revoked");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.locator('tr[data-event="session.revoked"]', { hasText: first.sessionId }).waitFor();
  await screen(page, "audit-log");

  // A new access key, its secret shown once, works over HTTP.
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Name").fill("ci-backend");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = await page.getByTestId("secret").inputValue();
  assert.match(secret, /^hp_sk_/);
  await screen(page, "api-keys");
  const started = await api("POST", "/v1/sessions/start", { tag: TYPE, data: { userId: "user-1", email: "d@example.com" } }, secret);
  assert.equal(await verifyStatus(started.token), 200, "the new key starts sessions");

  // A signing-key rotation: the new key is in the JWKS, on the page and over HTTP.
  await page.getByRole("link", { name: "Signing keys" }).click();
  await page.getByRole("button", { name: "Rotate signing key" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Rotate" }).click();
  const notice = await page.getByText(/^New signing key /).textContent();
  const kid = /New signing key (\S+) /.exec(notice)[1];
  await page.locator(`li[data-kid="${kid}"]`).waitFor();
  const jwks = await (await fetch(`${hallpass.url}/v1/jwks/demo/dev`)).json();
  assert.ok(jwks.keys.some((k) => k.kid === kid), "the rotated key is published");
  await screen(page, "signing-keys");

  const before = (await context.cookies())[0].value;
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("API key").waitFor();
  assert.deepEqual(await context.cookies(), [], "the cookie is removed");
  const reuse = await fetch(`${hallpass.url}/v1/console/session`, { headers: { cookie: `hallpass-console=${before}` } });
  assert.equal(reuse.status, 401, "the old cookie no longer works");
  assert.deepEqual(problems, [], "no CSP refusal and no page error");
  await context.close();
});

test("at 375 px, by keyboard alone, the sessions screen works", async () => {
  await api("POST", "/v1/sessions/start", { tag: TYPE, data: { userId: "user-9", email: "c@example.com" } });
  const { context, page, problems } = await consoleTab(375);
  await page.getByLabel("API key").waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "key", "the key field takes the first Tab");
  await page.keyboard.type(hallpass.key);
  await page.keyboard.press("Enter");
  await page.getByTestId("who").waitFor();
  await page.getByLabel("Identifier").focus();
  await page.keyboard.type("user-9");
  await page.keyboard.press("Enter");
  await page.getByText("1 active session of user-9").waitFor();
  await screen(page, "sessions-375px");
  assert.deepEqual(problems, []);
  await context.close();
});
