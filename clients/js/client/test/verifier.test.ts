// @hallpass/client/verifier against the real binary: tokens verify locally with no request per
// token, a revocation on the server is refused within a second, an update supersedes, the feed
// resumes after the server restarts, and (on PostgreSQL) a separate Node process refuses a token
// revoked on another node within a second.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import { Hallpass, HallpassError } from "../src/index.js";
import { createVerifier, SseParser, type Verifier } from "../src/verifier.js";
import { countingFetch, expectHallpassError, unique, userData } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const tag = "user-session";
const quickReconnect = { minDelayMs: 50, maxDelayMs: 300 };

/** A new access key of demo/dev, made with the admin key (not one of `--dev`'s, which each start replaces). */
async function createAccessKey(url: string, adminKey: string): Promise<string> {
  const response = await fetch(`${url}/v1/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ kind: "access", product: "demo", env: "dev", name: "verifier" }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

/** Polls `verify` until it throws `code`; answers how long that took (ms). */
async function refusedWithin(verifier: Verifier, token: string, code: string, limitMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await verifier.verify(token, { tag });
    } catch (error) {
      if (HallpassError.is(error) && error.code === code) return Date.now() - started;
      throw error;
    }
    if (Date.now() - started > limitMs) throw new Error(`still accepted after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("the local verifier", () => {
  let server: RunningHallpass;
  let hallpass: Hallpass;
  let verifier: Verifier;
  let requests: ReturnType<typeof countingFetch>;

  beforeAll(async () => {
    server = await startHallpass();
    hallpass = new Hallpass({ url: server.url, accessKey: server.accessKey });
    requests = countingFetch();
    verifier = createVerifier({ url: server.url, product: "demo", env: "dev", accessKey: server.accessKey, fetch: requests.fetch });
    await verifier.ready();
  });

  afterAll(async () => {
    verifier?.close();
    await server?.stop();
  });

  it("verifies a token with the JWKS and the feed, with no request per token", async () => {
    const user = unique("ann");
    const started = await hallpass.sessions.start({ tag, data: userData(user) });
    const before = requests.sent.length;
    for (let i = 0; i < 5; i++) {
      const verified = await verifier.verify(started.token, { tag });
      expect(verified).toMatchObject({ sessionId: started.sessionId, identifier: user, tag, product: "demo", env: "dev", version: 0 });
      expect(verified.expiresAt.toISOString()).toBe(new Date(Math.floor(Date.parse(started.expiresAt) / 1000) * 1000).toISOString());
      expect(verified.claims.dat).toBeTypeOf("string");
    }
    expect(requests.sent.length - before).toBe(0);
    const paths = requests.sent.map((r) => r.url.pathname);
    expect(paths).toContain("/v1/jwks/demo/dev");
    expect(paths).toContain("/v1/revocations/demo/dev");
    const feedRequest = requests.sent.find((r) => r.url.pathname === "/v1/revocations/demo/dev");
    expect(feedRequest?.headers.authorization).toBe(`Bearer ${server.accessKey}`);
  });

  it("refuses a token within a second of its revocation on the server", async () => {
    const started = await hallpass.sessions.start({ tag, data: userData(unique("bob")) });
    await verifier.verify(started.token, { tag });
    await hallpass.sessions.revoke({ tag, sessionId: started.sessionId });
    const took = await refusedWithin(verifier, started.token, "session_revoked", 1000);
    expect(took).toBeLessThan(1000);
  });

  it("refuses a superseded token after an update and accepts the new one", async () => {
    const started = await hallpass.sessions.start({ tag, data: userData(unique("cid")) });
    await verifier.verify(started.token, { tag });
    const updated = await hallpass.sessions.update({ tag, sessionId: started.sessionId, data: { role: "admin" } });
    await refusedWithin(verifier, started.token, "token_superseded", 1000);
    const fresh = await verifier.verify(updated.token!, { tag });
    expect(fresh.version).toBe(1);
  });

  it("checks a token's form, signature, type and env as the server does", async () => {
    const started = await hallpass.sessions.start({ tag, data: userData(unique("dan")) });
    await expectHallpassError(verifier.verify("not-a-token", { tag }), "token_malformed", 401);
    await expectHallpassError(verifier.verify("a..c", { tag }), "token_malformed", 401);
    const [header, payload, signature] = started.token.split(".") as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.endsWith("AA") ? "BB" : "AA");
    await expectHallpassError(verifier.verify(`${header}.${payload}.${flipped}`, { tag }), "token_signature_invalid", 401);
    const noKid = Buffer.from(JSON.stringify({ alg: "EdDSA", typ: "JWT" })).toString("base64url");
    await expectHallpassError(verifier.verify(`${noKid}.${payload}.${signature}`, { tag }), "token_malformed", 401);
    const otherKid = Buffer.from(JSON.stringify({ alg: "EdDSA", typ: "JWT", kid: "no-such-key" })).toString("base64url");
    await expectHallpassError(verifier.verify(`${otherKid}.${payload}.${signature}`, { tag }), "token_signature_invalid", 401);
    await expectHallpassError(verifier.verify(started.token, { tag: "admin-session" }), "tag_mismatch", 401);
    const prd = createVerifier({ url: server.url, product: "demo", env: "prd", accessKey: server.productKey, reconnect: quickReconnect });
    try {
      await prd.ready();
      // The prd JWKS does not hold dev's key.
      await expectHallpassError(prd.verify(started.token, { tag }), "token_signature_invalid", 401);
    } finally {
      prd.close();
    }
    const strict = createVerifier({ url: server.url, product: "demo", env: "dev", accessKey: server.accessKey, issuer: "https://elsewhere.example" });
    try {
      await strict.ready();
      await expectHallpassError(strict.verify(started.token, { tag }), "token_signature_invalid", 401);
    } finally {
      strict.close();
    }
  });

  it("fails closed until the first snapshot, and after close", async () => {
    const refused = createVerifier({ url: server.url, product: "demo", env: "dev", accessKey: server.publishableKey, reconnect: quickReconnect });
    const started = await hallpass.sessions.start({ tag, data: userData(unique("eve")) });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const error = await expectHallpassError(refused.verify(started.token, { tag }), "feed_unavailable", 503);
      expect(error.message).toContain("403");
    } finally {
      refused.close();
    }
    const closing = createVerifier({ url: server.url, product: "demo", env: "dev", accessKey: server.accessKey });
    await closing.ready();
    closing.close();
    await expectHallpassError(closing.verify(started.token, { tag }), "feed_unavailable", 503);
    expect(() => createVerifier({ url: server.url, product: "demo", env: "", accessKey: server.accessKey })).toThrow(HallpassError);
  });
});

describe("the feed's SSE parsing", () => {
  it("reads events split anywhere, any line end, comments and multi-line data", () => {
    const seen: Array<{ event: string; data: string; id: string | undefined }> = [];
    const parser = new SseParser((e) => seen.push(e));
    const text = ": hi\r\nevent: revoked\r\nid: 12\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n:\n\nevent: snapshot\rid: 13\rdata: {}\r\r:\n";
    for (const ch of text) parser.push(ch);
    expect(seen).toEqual([
      { event: "revoked", id: "12", data: '{"a":\n1}' },
      { event: "snapshot", id: "13", data: "{}" },
    ]);
  });
});

describe("after the server restarts", () => {
  it("reconnects, resumes and refuses what was revoked meanwhile", async () => {
    const first = await startHallpass({ keepFiles: true });
    // --dev makes new dev keys at every start: the verifier and the test use a key of their own.
    const accessKey = await createAccessKey(first.url, first.adminKey);
    const hallpass = new Hallpass({ url: first.url, accessKey });
    const verifier = createVerifier({ url: first.url, product: "demo", env: "dev", accessKey, reconnect: quickReconnect });
    let second: RunningHallpass | undefined;
    try {
      await verifier.ready();
      const before = await hallpass.sessions.start({ tag, data: userData(unique("fay")) });
      const after = await hallpass.sessions.start({ tag, data: userData(unique("gus")) });
      await hallpass.sessions.revoke({ tag, sessionId: before.sessionId });
      await refusedWithin(verifier, before.token, "session_revoked", 1000);
      const listen = new URL(first.url).host;
      await first.stop();
      second = await startHallpass({ dir: first.dir, listen, adminKey: first.adminKey });
      await hallpass.sessions.revoke({ tag, sessionId: after.sessionId });
      const took = await refusedWithin(verifier, after.token, "session_revoked", 3000);
      expect(took).toBeLessThan(3000);
      await expectHallpassError(verifier.verify(before.token, { tag }), "session_revoked", 401);
    } finally {
      verifier.close();
      await second?.stop();
    }
  });
});

const databaseUrl = process.env.HALLPASS_TEST_DATABASE_URL;
if (!databaseUrl) {
  console.warn("SKIPPED: the two-node verifier test needs HALLPASS_TEST_DATABASE_URL (a PostgreSQL server)");
}

describe.skipIf(!databaseUrl)("two nodes on PostgreSQL", () => {
  it("a separate process refuses a token within a second of its revocation on another node", async () => {
    const name = `hallpass_js_${randomBytes(6).toString("hex")}`;
    execFileSync("psql", [databaseUrl!, "-qc", `CREATE DATABASE ${name}`]);
    const url = new URL(databaseUrl!);
    url.pathname = `/${name}`;
    const masterKey = randomBytes(32).toString("base64");
    const nodeA = await startHallpass({ databaseUrl: url.toString(), masterKey });
    const nodeB = await startHallpass({ databaseUrl: url.toString(), masterKey, adminKey: nodeA.adminKey });
    const key = { key: await createAccessKey(nodeA.url, nodeA.adminKey) };
    const child = spawn(process.execPath, [resolve(here, "verifier-process.mjs"), nodeB.url, key.key], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! });
    const answers: string[] = [];
    let waiting: ((line: string) => void) | undefined;
    lines.on("line", (line) => (waiting ? (waiting(line), (waiting = undefined)) : answers.push(line)));
    const nextLine = () => new Promise<string>((r) => (answers.length ? r(answers.shift()!) : (waiting = r)));
    const ask = async (token: string) => {
      child.stdin!.write(`${token}\n`);
      return JSON.parse(await nextLine()) as { ok: boolean; code?: string };
    };
    try {
      expect(await nextLine()).toBe("ready");
      const onA = new Hallpass({ url: nodeA.url, accessKey: key.key });
      const started = await onA.sessions.start({ tag, data: userData(unique("hal")) });
      expect(await ask(started.token)).toEqual({ ok: true });
      await onA.sessions.revoke({ tag, sessionId: started.sessionId });
      const revokedAt = Date.now();
      for (;;) {
        const answer = await ask(started.token);
        if (!answer.ok) {
          expect(answer.code).toBe("session_revoked");
          break;
        }
        expect(Date.now() - revokedAt, "refused within a second").toBeLessThan(1000);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(Date.now() - revokedAt).toBeLessThan(1000);
    } finally {
      child.kill();
      await nodeA.stop();
      await nodeB.stop();
      execFileSync("psql", [databaseUrl!, "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
    }
  });
});
