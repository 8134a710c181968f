// Interop proof: the npm `jose` library (pinned in package-lock.json) verifies hallpass session
// tokens with nothing but the env's public JWKS (docs/API.md §3 "Tokens", §9.4 "Public routes").
//
// Runs the real binary: HALLPASS_BIN, else ../../target/debug/hallpass (build it first with
// `cargo build -p hallpass-cli`). Run with `node --test test.mjs`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import * as jose from "jose";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.HALLPASS_BIN || resolve(here, "../../target/debug/hallpass");
const ADMIN_KEY = "hp_admin_" + "jose0interop0test0key0abcdefghijklmnopqr".slice(0, 40);
const USER_DATA = { userId: "user-123", email: "a@b.c" };

let server; // child process
let work; // temp dir
let url; // e.g. http://127.0.0.1:41234
let serverLog = "";

/** Starts `hallpass serve` on a free port and resolves with its URL once it prints it. */
function startServer() {
  assert.ok(existsSync(BIN), `hallpass binary not found at ${BIN} (set HALLPASS_BIN or build it)`);
  work = mkdtempSync(join(tmpdir(), "hallpass-jose-"));
  // A clean HALLPASS_* environment, and a cwd without hallpass.toml, so only our settings apply.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("HALLPASS_")),
  );
  env.HALLPASS_BOOTSTRAP_ADMIN_KEY = ADMIN_KEY;
  server = spawn(
    BIN,
    ["serve", "--listen", "127.0.0.1:0", "--database-url", `sqlite://${work}/h.db`],
    { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stderr.on("data", (d) => (serverLog += d));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not print 'listening on' in 30 s:\n${serverLog}`)),
      30_000,
    );
    server.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${code ?? signal}):\n${serverLog}`));
    });
    createInterface({ input: server.stdout }).on("line", (line) => {
      serverLog += line + "\n";
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    });
  });
}

before(async () => {
  url = await startServer();
});

after(() => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  if (work) rmSync(work, { recursive: true, force: true });
});
// Also on an abrupt exit of the test process (uncaught error, Ctrl-C).
process.on("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
});

async function call(method, path, body, { auth = true, expect = [200, 201] } = {}) {
  const headers = {};
  if (auth) headers.authorization = `Bearer ${ADMIN_KEY}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(
    expect.includes(res.status),
    `${method} ${path} answered ${res.status}, expected ${expect.join("|")}: ${text}`,
  );
  return JSON.parse(text);
}

const startSession = () =>
  call("POST", "/v1/sessions/start", {
    product: "shop",
    env: "dev",
    tag: "user-session",
    data: USER_DATA,
  });
const fetchJwks = (env = "dev") => call("GET", `/v1/jwks/shop/${env}`, undefined, { auth: false });

/** Decodes every base64url part of a compact JWS/JWE to text (binary parts become garbage). */
function allDecodedText(token) {
  return token
    .split(".")
    .map((p) => Buffer.from(p, "base64url").toString("latin1"))
    .join("\n");
}

/** Checks everything docs/API.md §3 says about a token and its verification by jose. */
async function assertStandardToken(token, started, jwksDoc, alg) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwksDoc), {
    issuer: url,
    algorithms: [alg],
  });

  assert.equal(protectedHeader.alg, alg);
  assert.equal(protectedHeader.typ, "JWT");
  assert.equal(typeof protectedHeader.kid, "string");
  assert.ok(
    jwksDoc.keys.some((k) => k.kid === protectedHeader.kid),
    `header kid ${protectedHeader.kid} is not in the JWKS (${jwksDoc.keys.map((k) => k.kid)})`,
  );

  assert.equal(payload.iss, url);
  assert.equal(payload.sub, "user-123");
  assert.equal(payload.sid, started.sessionId);
  assert.equal(payload.tag, "user-session");
  assert.equal(payload.prd, "shop");
  assert.equal(payload.env, "dev");
  assert.equal(typeof payload.iat, "number");
  assert.equal(typeof payload.exp, "number");
  assert.equal(payload.exp - payload.iat, 3600, "expiry 1 hour");

  // dat: the session data as a compact JWE (dir + A256GCM, with the data key's kid).
  assert.equal(typeof payload.dat, "string");
  assert.equal(payload.dat.split(".").length, 5, "dat is a 5-part compact JWE");
  const datHeader = jose.decodeProtectedHeader(payload.dat);
  assert.deepEqual(Object.keys(datHeader).sort(), ["alg", "enc", "kid"]);
  assert.equal(datHeader.alg, "dir");
  assert.equal(datHeader.enc, "A256GCM");
  assert.equal(typeof datHeader.kid, "string");
  assert.ok(datHeader.kid.length > 0);

  // The data must not be readable from the token by anyone without the data key.
  for (const haystack of [token, allDecodedText(token), allDecodedText(payload.dat)]) {
    for (const secret of ["a@b.c", "email"]) {
      assert.ok(!haystack.includes(secret), `token leaks ${JSON.stringify(secret)} in plaintext`);
    }
  }
  return { payload, protectedHeader };
}

/** Asserts the JWKS publishes only public asymmetric keys. */
function assertOnlyPublicKeys(jwksDoc) {
  assert.ok(Array.isArray(jwksDoc.keys));
  for (const k of jwksDoc.keys) {
    assert.notEqual(k.kty, "oct", `symmetric key published: ${JSON.stringify(k)}`);
    assert.equal(k.d, undefined, `private key material published: kid ${k.kid}`);
    assert.equal(typeof k.kid, "string");
  }
}

// The steps share state and run in order (node:test runs top-level tests sequentially).
const state = {};

test("setup: product shop and session type user-session (1 hour tokens)", async () => {
  await call("POST", "/v1/products", { tag: "shop", name: "Shop" });
  await call("POST", "/v1/session-types", {
    product: "shop",
    tag: "user-session",
    name: "User",
    schema: { userId: "u" },
    selector: "$Session{userId}",
    expiry: 1,
    period: "hours",
  });
});

test("EdDSA (default key): jose verifies the token with the dev JWKS", async () => {
  state.edStart = await startSession();
  const jwksDoc = await fetchJwks();
  assertOnlyPublicKeys(jwksDoc);
  const ed = await assertStandardToken(state.edStart.token, state.edStart, jwksDoc, "EdDSA");
  state.edKid = ed.protectedHeader.kid;
  state.edJwks = jwksDoc;
  const edJwk = jwksDoc.keys.find((k) => k.kid === state.edKid);
  assert.equal(edJwk.kty, "OKP");
  assert.equal(edJwk.crv, "Ed25519");
});

test("negative: a token whose payload was altered fails with a signature error", async () => {
  const [h, p, s] = state.edStart.token.split(".");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  claims.sub = "user-999";
  const forged = [h, Buffer.from(JSON.stringify(claims)).toString("base64url"), s].join(".");
  await assert.rejects(
    jose.jwtVerify(forged, jose.createLocalJWKSet(state.edJwks), { issuer: url, algorithms: ["EdDSA"] }),
    (e) => e instanceof jose.errors.JWSSignatureVerificationFailed,
  );
});

test("negative: a dev token does not verify with the JWKS of env prd", async () => {
  const prdJwks = await fetchJwks("prd");
  assertOnlyPublicKeys(prdJwks);
  assert.ok(!prdJwks.keys.some((k) => k.kid === state.edKid), "dev kid published for prd");
  await assert.rejects(
    jose.jwtVerify(state.edStart.token, jose.createLocalJWKSet(prdJwks), {
      issuer: url,
      algorithms: ["EdDSA"],
    }),
    (e) => e instanceof jose.errors.JWKSNoMatchingKey,
  );
});

test("rotate to ES256: jose verifies the new token, and the old EdDSA token still verifies", async () => {
  const esRot = await call("POST", "/v1/products/shop/envs/dev/signing-keys/rotate", { alg: "ES256" });
  assert.equal(esRot.alg, "ES256");
  assert.equal(typeof esRot.kid, "string");
  assert.notEqual(esRot.kid, state.edKid);
  state.esKid = esRot.kid;
  state.esStart = await startSession();
  const jwksDoc = await fetchJwks();
  assertOnlyPublicKeys(jwksDoc);
  const esJwk = jwksDoc.keys.find((k) => k.kid === esRot.kid);
  assert.ok(esJwk, "the new ES256 key is published");
  assert.equal(esJwk.kty, "EC");
  assert.equal(esJwk.crv, "P-256");
  assert.ok(jwksDoc.keys.some((k) => k.kid === state.edKid), "the old EdDSA key is still published");
  const es = await assertStandardToken(state.esStart.token, state.esStart, jwksDoc, "ES256");
  assert.equal(es.protectedHeader.kid, esRot.kid, "new tokens are signed with the new key");
  await assertStandardToken(state.edStart.token, state.edStart, jwksDoc, "EdDSA");
});

test("rotate to HS256: never published; the unexpired ES256 and EdDSA keys stay published", async () => {
  const hsRot = await call("POST", "/v1/products/shop/envs/dev/signing-keys/rotate", { alg: "HS256" });
  assert.equal(hsRot.alg, "HS256");
  assert.equal(typeof hsRot.kid, "string");
  const hsStart = await startSession();
  assert.equal(jose.decodeProtectedHeader(hsStart.token).alg, "HS256");
  assert.equal(jose.decodeProtectedHeader(hsStart.token).kid, hsRot.kid);
  const jwksDoc = await fetchJwks();
  assertOnlyPublicKeys(jwksDoc);
  assert.ok(!jwksDoc.keys.some((k) => k.kid === hsRot.kid), "the HS256 kid is not published");
  assert.ok(jwksDoc.keys.some((k) => k.kid === state.esKid), "the ES256 key is still published");
  assert.ok(jwksDoc.keys.some((k) => k.kid === state.edKid), "the EdDSA key is still published");
  await assertStandardToken(state.esStart.token, state.esStart, jwksDoc, "ES256");
  await assertStandardToken(state.edStart.token, state.edStart, jwksDoc, "EdDSA");
});
