// Shared by the Chromium suites (interop/browser, interop/frontend): `hallpass serve --dev` on a
// free port, calls with a key as a backend makes them, and the app a browser talks to: its
// pages, a login route that starts a session on the backend and forwards hallpass's `cookies`
// as they are, and a same-origin proxy of `/v1/` to hallpass (as an app's reverse proxy would
// be). Node built-ins only.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** Starts `hallpass serve --dev` in `work` (with `extra` arguments); resolves with its URL, its demo/dev access key, the key of every env (`typesKey`) and the process. */
export async function startHallpass(bin, work, extra = []) {
  const child = spawn(bin, ["serve", "--dev", "--listen", "127.0.0.1:0", "--database-url", `sqlite://${join(work, "h.db")}`, ...extra], {
    cwd: work,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const found = {};
  await new Promise((done, fail) => {
    child.once("exit", (code) => fail(new Error(`hallpass exited with ${code}`)));
    lines.on("line", (line) => {
      const key = /^access key \(demo\/dev\): (\S+)$/.exec(line);
      if (key) found.key = key[1];
      const typesKey = /^access key \(demo, every env; manages session types\): (\S+)$/.exec(line);
      if (typesKey) found.typesKey = typesKey[1];
      const url = /^listening on (\S+)$/.exec(line);
      if (url) found.url = url[1];
      if (found.key && found.typesKey && found.url) done();
    });
  });
  return { ...found, child };
}

/**
 * Calls the hallpass API as the backend does, with the access key (or, with `key`, another:
 * session types are shared by every env, so the key of every env changes them).
 */
export async function api(hallpass, method, path, body, key = hallpass.key) {
  const response = await fetch(`${hallpass.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Listens on a free loopback port; resolves with the server's port. */
export function listen(server) {
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server.address().port)));
}

/**
 * The app: `pages` (path → `[content type, body]`), `POST /login?user=U&name=N` that starts a
 * session of `tag` for U (data `{userId, email, name}`) and forwards its cookies, and the proxy.
 */
export function appServer(hallpass, tag, pages) {
  return createServer(async (req, res) => {
    const url = new URL(req.url, "http://app");
    const page = req.method === "GET" ? pages[url.pathname] : undefined;
    if (page) {
      res.writeHead(200, { "content-type": page[0] }).end(page[1]);
      return;
    }
    if (req.method === "POST" && url.pathname === "/login") {
      const user = url.searchParams.get("user");
      const name = url.searchParams.get("name") ?? user;
      const started = await api(hallpass, "POST", "/v1/sessions/start", {
        tag,
        data: { userId: user, email: `${user}@example.com`, name },
        device: { ip: "203.0.113.1", userAgent: req.headers["user-agent"] },
      });
      res.setHeader("set-cookie", started.cookies);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ sessionId: started.sessionId, expiresAt: started.expiresAt }));
      return;
    }
    if (url.pathname.startsWith("/v1/")) {
      const headers = {};
      for (const name of ["cookie", "origin", "user-agent", "x-hallpass-csrf", "content-type"]) {
        if (req.headers[name]) headers[name] = req.headers[name];
      }
      const upstream = await fetch(`${hallpass.url}${req.url}`, { method: req.method, headers });
      const out = { "content-type": upstream.headers.get("content-type") ?? "application/json" };
      const cookies = upstream.headers.getSetCookie();
      if (cookies.length) out["set-cookie"] = cookies;
      res.writeHead(upstream.status, out).end(Buffer.from(await upstream.arrayBuffer()));
      return;
    }
    res.writeHead(404).end();
  });
}
