// Interop proof for the sealed cookie sessions of docs/API.md §7: apps using h3's `useSession`
// (h3 1.15 and h3 2.0, pinned in package-lock.json) and an axum app using hallpass's sealed-session
// extractor read and write each other's sessions, by cookie and by the `x-h3-session` header;
// and `hallpass seal`/`unseal` open and make h3's seals.
//
// The h3 apps are called in-process through their web handlers; the Rust app is the example
// `h3_session_app` (H3_SESSION_APP_BIN, else ../../target/debug/examples/h3_session_app) and the
// CLI is HALLPASS_BIN (else ../../target/debug/hallpass). Run with `node --test test.mjs`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import * as H3v1 from "h3";
import * as H3v2 from "h3-v2";

const here = dirname(fileURLToPath(import.meta.url));
const APP_BIN = process.env.H3_SESSION_APP_BIN || resolve(here, "../../target/debug/examples/h3_session_app");
const HALLPASS_BIN = process.env.HALLPASS_BIN || resolve(here, "../../target/debug/hallpass");
const PASSWORD = "a-password-of-at-least-32-characters!";

// ---------------------------------------------------------------------------------------------
// The three apps: the same three routes over h3 1.x, h3 2.x and the Rust extractor.

/** An h3 1.x app: GET shows the session, POST merges a JSON patch, DELETE clears it. */
function h3v1App(config) {
  const app = H3v1.createApp();
  const router = H3v1.createRouter();
  const show = async (event) => {
    await H3v1.useSession(event, config);
    const { id, createdAt, data } = await H3v1.getSession(event, config);
    return { id, createdAt, data };
  };
  router.get("/session", H3v1.eventHandler(show));
  router.post(
    "/session",
    H3v1.eventHandler(async (event) => {
      const session = await H3v1.useSession(event, config);
      await session.update(await H3v1.readBody(event));
      return show(event);
    }),
  );
  router.delete(
    "/session",
    H3v1.eventHandler(async (event) => {
      const session = await H3v1.useSession(event, config);
      await session.clear();
      return { cleared: true };
    }),
  );
  app.use(router);
  const handler = H3v1.toWebHandler(app);
  return (path, init) => handler(new Request(`http://h3v1.test${path}`, init));
}

/** The same app on h3 2.x (8192 iterations by default, chunked cookies). */
function h3v2App(config) {
  const app = new H3v2.H3();
  const show = async (event) => {
    await H3v2.useSession(event, config);
    const { id, createdAt, data } = await H3v2.getSession(event, config);
    return { id, createdAt, data };
  };
  app.get("/session", show);
  app.post("/session", async (event) => {
    const session = await H3v2.useSession(event, config);
    await session.update(await event.req.json());
    return show(event);
  });
  app.delete("/session", async (event) => {
    const session = await H3v2.useSession(event, config);
    await session.clear();
    return { cleared: true };
  });
  return (path, init) => app.fetch(new Request(`http://h3v2.test${path}`, init));
}

const running = [];

/** Starts the Rust app with these environment settings; resolves to the same kind of caller. */
async function rustApp(env = {}) {
  const child = spawn(APP_BIN, [], {
    env: { ...process.env, SESSION_PASSWORD: PASSWORD, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.push(child);
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise((resolvePort, reject) => {
    child.once("exit", (code) => reject(new Error(`h3_session_app exited with ${code}`)));
    lines.on("line", (line) => {
      const match = /^listening on (\d+)$/.exec(line);
      if (match) resolvePort(Number(match[1]));
    });
  });
  return (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init);
}

before(() => {
  assert.ok(existsSync(APP_BIN), `h3_session_app not found at ${APP_BIN} (cargo build -p hallpass-sealed-session --example h3_session_app)`);
  assert.ok(existsSync(HALLPASS_BIN), `hallpass not found at ${HALLPASS_BIN} (cargo build -p hallpass-cli)`);
});

after(() => {
  for (const child of running) child.kill();
});

// ---------------------------------------------------------------------------------------------
// A browser's part: keep the cookies an answer sets, send them back.

/** The cookies a response sets, by name: `{ value, attributes, deleted }`. */
function setCookies(response) {
  const cookies = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(";").map((s) => s.trim());
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    cookies[name] = {
      value: decodeURIComponent(pair.slice(eq + 1)),
      attributes,
      deleted: attributes.some((a) => /^max-age=0$/i.test(a)),
    };
  }
  return cookies;
}

/** A cookie jar: `apply` keeps what a response set (and drops what it deleted). */
class Jar {
  constructor() {
    this.cookies = new Map();
  }
  apply(response) {
    for (const [name, { value, deleted }] of Object.entries(setCookies(response))) {
      if (deleted || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** Calls `app` with the jar's cookies, keeps what it sets, answers the JSON body. */
async function call(app, jar, method, body) {
  const init = { method, headers: { cookie: jar.header() } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const response = jar.apply(await app("/session", init));
  assert.equal(response.status, 200, `${method} /session: ${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------------------------------------
// Cookies both ways.

test("a cookie set by h3 1.x useSession is read by the Rust extractor", async () => {
  const [h3, rust, jar] = [h3v1App({ password: PASSWORD }), await rustApp(), new Jar()];
  const written = await call(h3, jar, "POST", { user: "vinxi", role: "admin" });
  assert.match(jar.cookies.get("h3"), /^Fe26\.2\*\*/);
  const response = await rust("/session", { headers: { cookie: jar.header() } });
  assert.deepEqual(await response.json(), written);
  assert.deepEqual(response.headers.getSetCookie(), [], "the extractor does not rewrite a valid session");
});

test("a cookie set by the Rust extractor is read by h3 1.x useSession", async () => {
  const [h3, rust, jar] = [h3v1App({ password: PASSWORD }), await rustApp(), new Jar()];
  const written = await call(rust, jar, "POST", { user: "ferris", langs: ["rust", "ts"] });
  const read = await call(h3, jar, "GET");
  assert.deepEqual(read, written);
  assert.equal(typeof read.createdAt, "number");
});

test("updates alternate between h3 and Rust on one session", async () => {
  const [h3, rust, jar] = [h3v1App({ password: PASSWORD }), await rustApp(), new Jar()];
  const first = await call(h3, jar, "POST", { user: "ada", role: "admin" });
  const second = await call(rust, jar, "POST", { role: "member" });
  const third = await call(h3, jar, "POST", { theme: "dark" });
  assert.equal(second.id, first.id);
  assert.equal(third.id, first.id);
  assert.equal(third.createdAt, first.createdAt);
  assert.deepEqual(third.data, { user: "ada", role: "member", theme: "dark" });
  assert.deepEqual(await call(rust, jar, "GET"), third);
});

test("the x-h3-session header carries a session both ways", async () => {
  const [h3, rust] = [h3v1App({ password: PASSWORD }), await rustApp()];
  const fromH3 = new Jar();
  const h3Session = await call(h3, fromH3, "POST", { via: "header" });
  const readByRust = await rust("/session", { headers: { "x-h3-session": fromH3.cookies.get("h3") } });
  assert.deepEqual(await readByRust.json(), h3Session);

  const fromRust = new Jar();
  const rustSession = await call(rust, fromRust, "POST", { via: "header too" });
  const readByH3 = await h3("/session", { headers: { "x-h3-session": fromRust.cookies.get("h3") } });
  assert.deepEqual(await readByH3.json(), rustSession);
});

test("clearing in Rust deletes the cookie, and h3 then starts a new session", async () => {
  const [h3, rust, jar] = [h3v1App({ password: PASSWORD }), await rustApp(), new Jar()];
  const before = await call(h3, jar, "POST", { user: "ada" });
  const response = await rust("/session", { method: "DELETE", headers: { cookie: jar.header() } });
  const deleted = setCookies(response).h3;
  assert.ok(deleted.deleted, "Max-Age=0");
  jar.apply(response);
  const after = await call(h3, jar, "GET");
  assert.notEqual(after.id, before.id);
  assert.deepEqual(after.data, {});
});

test("a tampered h3 cookie starts a new session in Rust, as it does in h3", async () => {
  const [h3, rust, jar] = [h3v1App({ password: PASSWORD }), await rustApp(), new Jar()];
  const original = await call(h3, jar, "POST", { role: "admin" });
  const sealed = jar.cookies.get("h3");
  const fields = sealed.split("*");
  fields[4] = fields[4].slice(0, -2) + (fields[4].endsWith("AA") ? "BB" : "AA");
  jar.cookies.set("h3", fields.join("*"));
  const inRust = await call(rust, jar, "GET");
  assert.notEqual(inRust.id, original.id);
  assert.deepEqual(inRust.data, {});
});

// ---------------------------------------------------------------------------------------------
// maxAge.

test("with maxAge both write Expires = createdAt + maxAge and drop an older session", async () => {
  const [h3, rust] = [h3v1App({ password: PASSWORD, maxAge: 1 }), await rustApp({ SESSION_MAX_AGE: "1" })];
  for (const app of [h3, rust]) {
    const response = await app("/session", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    const { createdAt } = await response.json();
    const expires = setCookies(response).h3.attributes.find((a) => a.startsWith("Expires="));
    assert.equal(Date.parse(expires.slice("Expires=".length)), Math.floor((createdAt + 1000) / 1000) * 1000);
  }

  const jar = new Jar();
  const old = await call(h3, jar, "POST", { user: "ada" });
  assert.equal((await call(rust, jar, "GET")).id, old.id, "still young");
  await new Promise((r) => setTimeout(r, 1100));
  const renewed = await call(rust, jar, "GET");
  assert.notEqual(renewed.id, old.id, "older than maxAge: a new session");
});

// ---------------------------------------------------------------------------------------------
// h3 2.x: 8192 iterations, migration, chunked cookies.

test("h3 2.x and a Rust app on 1 iteration share a cookie without rewriting it back and forth", async () => {
  const [v1, v2, rust, jar] = [h3v1App({ password: PASSWORD }), h3v2App({ password: PASSWORD }), await rustApp(), new Jar()];
  const written = await call(v2, jar, "POST", { from: "h3 2" });
  const read = await rust("/session", { headers: { cookie: jar.header() } });
  assert.deepEqual(await read.json(), written);
  assert.deepEqual(read.headers.getSetCookie(), [], "Rust keeps h3 2.x's stronger seal");

  const updated = await call(rust, jar, "POST", { by: "rust" });
  assert.deepEqual(await call(v1, jar, "GET"), updated, "h3 1.x opens what Rust sealed");
  const migrated = await v2("/session", { headers: { cookie: jar.header() } });
  assert.deepEqual(await migrated.json(), updated);
  assert.equal(migrated.headers.getSetCookie().length, 1, "h3 2.x migrates it to 8192 iterations");
  jar.apply(migrated);

  for (const app of [rust, v2, rust]) {
    const again = await app("/session", { headers: { cookie: jar.header() } });
    assert.deepEqual(await again.json(), updated);
    assert.deepEqual(again.headers.getSetCookie(), [], "settled: nobody rewrites it");
  }
});

test("a Rust app on 8192 iterations and h3 2.x share sessions", async () => {
  const [v2, rust, jar] = [h3v2App({ password: PASSWORD }), await rustApp({ SESSION_ITERATIONS: "8192" }), new Jar()];
  const written = await call(rust, jar, "POST", { user: "ada" });
  const response = await v2("/session", { headers: { cookie: jar.header() } });
  assert.deepEqual(await response.json(), written);
  assert.deepEqual(response.headers.getSetCookie(), [], "h3 2.x keeps a current seal");
  const updated = await call(v2, jar, "POST", { role: "admin" });
  assert.deepEqual(await call(rust, jar, "GET"), updated);
});

test("large sessions travel as h3 2.x chunk cookies both ways", async () => {
  const [v2, rust] = [h3v2App({ password: PASSWORD }), await rustApp({ SESSION_ITERATIONS: "8192" })];
  const blob = "x".repeat(8000);

  const fromRust = new Jar();
  const rustWritten = await call(rust, fromRust, "POST", { blob });
  const count = Number(/^__chunked__(\d+)$/.exec(fromRust.cookies.get("h3"))?.[1]);
  assert.ok(count >= 3, `an 8000-character value sealed needs at least 3 chunks, got ${count}`);
  const chunkNames = Array.from({ length: count }, (_, i) => `h3.${i + 1}`);
  assert.deepEqual([...fromRust.cookies.keys()].sort(), ["h3", ...chunkNames].sort());
  assert.ok(chunkNames.every((name) => fromRust.cookies.get(name).length <= 4000));
  assert.deepEqual(await call(v2, fromRust, "GET"), rustWritten);

  const fromH3 = new Jar();
  const h3Written = await call(v2, fromH3, "POST", { blob });
  assert.match(fromH3.cookies.get("h3"), /^__chunked__\d+$/);
  assert.deepEqual(await call(rust, fromH3, "GET"), h3Written);

  // Shrinking in Rust deletes the chunks; h3 2.x then reads the single cookie.
  const small = await call(rust, fromH3, "POST", { blob: "small" });
  assert.deepEqual([...fromH3.cookies.keys()], ["h3"]);
  assert.deepEqual(await call(v2, fromH3, "GET"), small);
});

// ---------------------------------------------------------------------------------------------
// The CLI opens and makes h3's seals.

test("hallpass unseal opens an h3 cookie, and h3 reads what hallpass seal made", async () => {
  const work = mkdtempSync(join(tmpdir(), "hallpass-h3-"));
  try {
    const passwordFile = join(work, "password.txt");
    writeFileSync(passwordFile, PASSWORD);
    const h3 = h3v1App({ password: PASSWORD });

    const jar = new Jar();
    const written = await call(h3, jar, "POST", { user: "cli" });
    const unsealed = spawnSync(HALLPASS_BIN, ["unseal", "--password-file", passwordFile], { input: jar.cookies.get("h3"), encoding: "utf8" });
    assert.equal(unsealed.status, 0, unsealed.stderr);
    assert.deepEqual(JSON.parse(unsealed.stdout), written);

    const session = { id: "made-by-the-cli", createdAt: Date.now(), data: { user: "sealed" } };
    const sealed = spawnSync(HALLPASS_BIN, ["seal", "--password-file", passwordFile], { input: JSON.stringify(session), encoding: "utf8" });
    assert.equal(sealed.status, 0, sealed.stderr);
    const response = await h3("/session", { headers: { cookie: `h3=${sealed.stdout.trim()}` } });
    assert.deepEqual(await response.json(), session);

    const wrong = spawnSync(HALLPASS_BIN, ["unseal", "--password-file", passwordFile], { input: jar.cookies.get("h3").replace("Fe26.2**", "Fe26.2*x*"), encoding: "utf8" });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^error: /);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
