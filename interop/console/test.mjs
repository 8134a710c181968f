// The console of docs/API.md §16 in a real headless Chromium against the real binary: an
// operator signs in with a key (the browser keeps only an httpOnly console cookie), finds a
// user's sessions by identifier, revokes one after confirming (its token then answers 401 over
// HTTP, the other still verifies), creates a session type with a schema mistake and sees the
// server's message at the schema field, fixes it, sees the revocation in the audit log, adds a
// webhook endpoint and sends it a test event, creates an access key
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
import { createServer } from "node:http";
import { api as apiOf, listen, startHallpass } from "../support/app.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.HALLPASS_BIN || resolve(here, "../../target/debug/hallpass");
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const SHOTS = process.env.CONSOLE_SCREENSHOTS || resolve(here, "../../target/console-screenshots");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TYPE = "user-session";

let work;
let hallpass;
let browser;
let receiver;
let receiverUrl;
const received = [];

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
  // Webhooks to a receiver on this machine, which the test starts.
  hallpass = await startHallpass(BIN, work, ["--allow-private-webhooks"]);
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  receiverUrl = `http://127.0.0.1:${await listen(receiver)}/hook`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  hallpass?.child.kill();
  receiver?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A console tab at `width` px; every CSP refusal and page error is collected. */
async function consoleTab(width) {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    // 4xx answers are expected (a wrong key, a refused field); the page shows them.
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) problems.push(m.text());
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

  // A session type with a schema mistake: the server's message at the schema field; fixed, it is created.
  await page.getByRole("link", { name: "Session types" }).click();
  await page.getByRole("button", { name: "New session type" }).click();
  await page.getByLabel("Tag").fill("admin-session");
  await page.getByLabel("Name", { exact: true }).fill("Admin session");
  const schema = page.getByLabel("Schema (JSON)");
  await schema.fill('{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "nope"}');
  await page.getByRole("button", { name: "Create" }).click();
  await page.locator("#field-schema-error", { hasText: "schema" }).waitFor();
  assert.equal(await schema.getAttribute("aria-invalid"), "true", "the schema field is marked");
  await screen(page, "session-types-error");
  await schema.fill('{"userId": "user-123"}');
  await page.getByLabel("Browser renewal after (seconds)").fill("600");
  await page.getByLabel("Forward auth passes the session data").check();
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByText("Session type admin-session created.").waitFor();
  await page.locator('tr[data-type="admin-session"]').waitFor();
  await screen(page, "session-types");
  const created = await api("GET", "/v1/session-types/admin-session", undefined, hallpass.typesKey);
  assert.deepEqual(created.schema, { userId: "user-123" });
  assert.equal(created.updateAge, 600);
  assert.equal(created.forwardData, true);

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

  // A webhook endpoint, its secret shown once, a test event delivered and in its log.
  await page.getByRole("link", { name: "Webhooks" }).click();
  await page.getByLabel("Endpoint URL").fill(receiverUrl);
  await page.getByRole("button", { name: "Add endpoint" }).click();
  assert.match(await page.getByTestId("webhook-secret").inputValue(), /^whsec_/);
  await page.getByRole("button", { name: `Send test to ${receiverUrl}` }).click();
  await page.getByText(`Test event delivered to ${receiverUrl}`).waitFor();
  await page.locator('tr[data-delivery="webhook.test"]').waitFor();
  assert.ok(
    received.some((r) => r.body.type === "webhook.test" && r.headers["webhook-signature"]?.startsWith("v1,")),
    "the receiver got a signed test event",
  );
  await screen(page, "webhooks");
  await page.getByRole("link", { name: "Products" }).click();
  await page.getByRole("cell", { name: "demo", exact: true }).waitFor();
  await screen(page, "products");

  const before = (await context.cookies())[0].value;
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("API key").waitFor();
  assert.deepEqual(await context.cookies(), [], "the cookie is removed");
  const reuse = await fetch(`${hallpass.url}/v1/console/session`, { headers: { cookie: `hallpass-console=${before}` } });
  assert.equal(reuse.status, 401, "the old cookie no longer works");
  assert.deepEqual(problems, [], "no CSP refusal and no page error");
  await context.close();
});

test("at 375 px, by keyboard alone, an env-scoped key finds sessions and is offered no product configuration", async () => {
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
  // This key is of env dev only: product configuration is not offered.
  assert.equal(await page.getByRole("link", { name: "Webhooks" }).count(), 0, "no webhooks screen");
  await page.getByRole("link", { name: "Session types" }).click();
  await page.getByText("may read them but not change them").waitFor();
  assert.equal(await page.getByRole("button", { name: "New session type" }).count(), 0);
  assert.equal(await page.getByRole("button", { name: /^Edit / }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
