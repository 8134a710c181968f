// Every server error code surfaced as a HallpassError with its code and status, and the
// client's own: network_error, timeout, http_error, invalid_response, invalid_options.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import { Hallpass, HallpassError, type HallpassOptions } from "../src/index.js";
import { countingFetch, expectHallpassError, localServer, sleep, unique, userData } from "./helpers.js";

let server: RunningHallpass;
let hallpass: Hallpass;
/** A client with the key of every env: session types are shared by the envs, so it manages them. */
let types: Hallpass;
const tag = "user-session";

beforeAll(async () => {
  server = await startHallpass();
  hallpass = new Hallpass({ url: server.url, accessKey: server.accessKey });
  types = new Hallpass({ url: server.url, accessKey: server.productKey });
  await types.sessionTypes.create({
    name: "Short",
    tag: "short-lived",
    schema: { userId: "u" },
    selector: "$Session{userId}",
    // A session lasts at least as long as its first token.
    expiry: 1,
    period: "seconds",
    refreshExpiry: 1,
    refreshPeriod: "seconds",
    refreshGrace: 0,
  });
  await types.sessionTypes.create({ name: "No grace", tag: "no-grace", expiry: 1, period: "hours", refreshGrace: 0 });
  await types.sessionTypes.create({ name: "Other", tag: "other-type", expiry: 1, period: "hours" });
  await types.sessionTypes.create({ name: "Selector only", tag: "selector-only", selector: "$Session{account}{id}", expiry: 1, period: "hours" });
});

afterAll(async () => {
  await server?.stop();
});

describe("server errors", () => {
  it("unauthorized: an unknown key", async () => {
    const bad = new Hallpass({ url: server.url, accessKey: "hp_sk_not-a-real-key-000000000000000000000" });
    const error = await expectHallpassError(bad.sessions.start({ tag, data: userData("x") }), "unauthorized", 401);
    expect(error).toBeInstanceOf(Error);
    expect(error.toJSON()).toMatchObject({ name: "HallpassError", code: "unauthorized", status: 401 });
    expect(HallpassError.is(error)).toBe(true);
  });

  it("token_malformed: not a JWS, and a truncated one", async () => {
    await expectHallpassError(hallpass.sessions.verify({ tag, token: "not-a-jwt" }), "token_malformed", 401);
    const { token } = await hallpass.sessions.start({ tag, data: userData("malformed") });
    await expectHallpassError(hallpass.sessions.verify({ tag, token: token.split(".").slice(0, 2).join(".") }), "token_malformed", 401);
  });

  it("token_signature_invalid: a tampered signature", async () => {
    const { token } = await hallpass.sessions.start({ tag, data: userData("tampered") });
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const flipped = signature[10] === "A" ? "B" : "A";
    const tampered = `${header}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`;
    await expectHallpassError(hallpass.sessions.verify({ tag, token: tampered }), "token_signature_invalid", 401);
  });

  it("token_expired and refresh_token_expired: a 1-second token, a 1-second session", async () => {
    const short = await hallpass.sessions.start({ tag, data: userData("expiring"), expiresIn: 1 });
    const shortSession = await hallpass.sessions.start({ tag: "short-lived", data: { userId: "u-exp" } });
    await sleep(2100);
    await expectHallpassError(hallpass.sessions.verify({ tag, token: short.token }), "token_expired", 401);
    await expectHallpassError(
      hallpass.sessions.refresh({ tag: "short-lived", refreshToken: shortSession.refreshToken }),
      "refresh_token_expired",
      401,
    );
  });

  it("tag_mismatch: a token of another session type", async () => {
    const { token } = await hallpass.sessions.start({ tag, data: userData("mismatch") });
    await expectHallpassError(hallpass.sessions.verify({ tag: "other-type", token }), "tag_mismatch", 401);
  });

  it("session_revoked: verify and refresh of a revoked session", async () => {
    const session = await hallpass.sessions.start({ tag, data: userData("revoked") });
    await hallpass.sessions.revoke({ tag, sessionId: session.sessionId });
    await expectHallpassError(hallpass.sessions.verify({ tag, token: session.token }), "session_revoked", 401);
    await expectHallpassError(hallpass.sessions.refresh({ tag, refreshToken: session.refreshToken }), "session_revoked", 401);
  });

  it("wrong_environment: a valid token of env prd verified in env dev", async () => {
    // The dev setup's keys are demo/dev; the admin key may act on prd.
    const admin = new Hallpass({ url: server.url, accessKey: server.adminKey, product: "demo", env: "prd" });
    const prd = await admin.sessions.start({ tag, data: userData("prd-user") });
    await expectHallpassError(hallpass.sessions.verify({ tag, token: prd.token }), "wrong_environment", 401);
  });

  it("scope_forbidden: a demo/dev key naming env prd", async () => {
    await expectHallpassError(hallpass.sessions.list({ tag, identifier: "x", env: "prd" }), "scope_forbidden", 403);
  });

  it("refresh_token_invalid: an unknown refresh token", async () => {
    await expectHallpassError(
      hallpass.sessions.refresh({ tag, refreshToken: "hp_rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }),
      "refresh_token_invalid",
      401,
    );
  });

  it("refresh_token_reused: the previous refresh token after the grace (refreshGrace 0) revokes the session", async () => {
    const session = await hallpass.sessions.start({ tag: "no-grace", data: { any: "thing" }, identifier: "reuse" });
    const refreshed = await hallpass.sessions.refresh({ tag: "no-grace", refreshToken: session.refreshToken });
    await expectHallpassError(hallpass.sessions.refresh({ tag: "no-grace", refreshToken: session.refreshToken }), "refresh_token_reused", 401);
    // Theft detection revoked the whole session.
    await expectHallpassError(hallpass.sessions.verify({ tag: "no-grace", token: refreshed.token }), "session_revoked", 401);
  });

  it("session_not_found: revoke of an id that never existed", async () => {
    await expectHallpassError(hallpass.sessions.revoke({ tag, sessionId: "01NOSUCHSESSION0000000000" }), "session_not_found", 404);
  });

  it("session_type_not_found: a method on an unknown tag", async () => {
    await expectHallpassError(hallpass.sessions.start({ tag: "no-such-type", data: {} }), "session_type_not_found", 404);
    await expectHallpassError(hallpass.sessionTypes.fetch("no-such-type"), "session_type_not_found", 404);
  });

  it("conflict: creating a tag that exists", async () => {
    await expectHallpassError(types.sessionTypes.create({ name: "Dup", tag, expiry: 1, period: "hours" }), "conflict", 409);
  });

  it("scope_forbidden: a key of one env changing the session types every env shares", async () => {
    await expectHallpassError(hallpass.sessionTypes.create({ name: "Dev only", tag: "dev-only", expiry: 1, period: "hours" }), "scope_forbidden", 403);
    await expectHallpassError(hallpass.sessionTypes.update(tag, { expiry: 2 }), "scope_forbidden", 403);
    await expectHallpassError(hallpass.sessionTypes.delete(tag, { force: true }), "scope_forbidden", 403);
    // It still reads them, and nothing changed.
    expect((await hallpass.sessionTypes.fetch(tag)).expiry).toBe(1);
  });

  it("schema_violation: data without a schema key, with every offending path in the message", async () => {
    const error = await expectHallpassError(
      hallpass.sessions.start({ tag, data: { userId: "u", email: 42 } as unknown as { userId: string; email: string } }),
      "schema_violation",
      422,
    );
    expect(error.message).toContain("email: expected string, got number");
  });

  it("invalid_request: limit over 1000, and missing fields", async () => {
    await expectHallpassError(hallpass.sessions.list({ tag, identifier: "u", limit: 5000 }), "invalid_request", 422);
    await expectHallpassError(hallpass.sessions.verify(undefined as never), "invalid_request", 422);
  });

  it("selector_unresolved: the selector's key is not a string or number", async () => {
    await expectHallpassError(
      hallpass.sessions.start({ tag: "selector-only", data: { account: { id: { nested: true } } } }),
      "selector_unresolved",
      422,
    );
  });

  it("payload_too_large: session data over 64 KiB", async () => {
    await expectHallpassError(hallpass.sessions.start({ tag, data: userData("big", { blob: "x".repeat(70_000) }) }), "payload_too_large", 413);
  });
});

describe("client-side errors", () => {
  it("network_error: nothing listens on the port", async () => {
    const closed = await localServer();
    await closed.close();
    const hp = new Hallpass({ url: closed.url, accessKey: server.accessKey });
    const error = await expectHallpassError(hp.sessions.verify({ tag, token: "t" }), "network_error", 0);
    expect(error.message).toContain(closed.url);
    expect(error.cause).toBeDefined();
  });

  it("timeout: a server that never answers, timeoutMs 200", async () => {
    const silent = await localServer();
    try {
      const hp = new Hallpass({ url: silent.url, accessKey: server.accessKey, timeoutMs: 200 });
      const started = Date.now();
      const error = await expectHallpassError(hp.sessions.start({ tag, data: userData("t") }), "timeout", 0);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error.message).toContain("200 ms");
    } finally {
      await silent.close();
    }
  });

  it("timeout: also for a fetch that ignores the abort signal", async () => {
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, timeoutMs: 100, fetch: () => new Promise<Response>(() => undefined) });
    await expectHallpassError(hp.sessions.list({ tag, identifier: "u" }), "timeout", 0);
  });

  it("http_error: an error status without hallpass's JSON body (a proxy's page)", async () => {
    const proxy = await localServer((_, res) => {
      res.writeHead(502, { "Content-Type": "text/html" }).end("<html><body>Bad Gateway</body></html>");
    });
    try {
      const hp = new Hallpass({ url: proxy.url, accessKey: server.accessKey });
      const error = await expectHallpassError(hp.sessions.verify({ tag, token: "t" }), "http_error", 502);
      expect(error.message).toContain("Bad Gateway");
    } finally {
      await proxy.close();
    }
  });

  it("http_error: JSON that is not hallpass's error shape", async () => {
    const other = await localServer((_, res) => {
      res.writeHead(500, { "Content-Type": "application/json" }).end('{"message":"boom"}');
    });
    try {
      const hp = new Hallpass({ url: other.url, accessKey: server.accessKey });
      await expectHallpassError(hp.sessions.verify({ tag, token: "t" }), "http_error", 500);
    } finally {
      await other.close();
    }
  });

  it("invalid_response: a success status whose body is not JSON", async () => {
    const weird = await localServer((_, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
    try {
      const hp = new Hallpass({ url: weird.url, accessKey: server.accessKey });
      await expectHallpassError(hp.sessions.verify({ tag, token: "t" }), "invalid_response", 200);
    } finally {
      await weird.close();
    }
  });

  it("the server's Retry-After is kept on the error", async () => {
    const limited = await localServer((_, res) => {
      res
        .writeHead(429, { "Content-Type": "application/json", "Retry-After": "7" })
        .end(JSON.stringify({ error: { code: "rate_limited", message: "too many failed attempts: retry after 7 seconds", status: 429 } }));
    });
    try {
      const hp = new Hallpass({ url: limited.url, accessKey: server.accessKey });
      const error = await expectHallpassError(hp.sessions.verify({ tag, token: "t" }), "rate_limited", 429);
      expect(error.retryAfter).toBe(7);
    } finally {
      await limited.close();
    }
  });

  it("invalid_options: neither key, both keys, a bad url, a bad timeout", () => {
    const cases: unknown[] = [
      { url: server.url },
      { url: server.url, accessKey: server.accessKey, publishableKey: server.publishableKey },
      { url: server.url, accessKey: "" },
      { url: "not a url", accessKey: server.accessKey },
      { url: "ftp://example.com", accessKey: server.accessKey },
      { url: "", accessKey: server.accessKey },
      { accessKey: server.accessKey },
      { url: server.url, accessKey: server.accessKey, timeoutMs: 0 },
      { url: server.url, accessKey: server.accessKey, fetch: "nope" },
      undefined,
    ];
    for (const options of cases) {
      let caught: unknown;
      try {
        new Hallpass(options as HallpassOptions);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(options)).toBeInstanceOf(HallpassError);
      expect((caught as HallpassError).code).toBe("invalid_options");
    }
  });

  it("a key is sent only to the configured server, with a path prefix kept", async () => {
    const counting = countingFetch(async () => new Response(JSON.stringify({ revoked: true }), { status: 200 }));
    const hp = new Hallpass({ url: "https://auth.example.com/hallpass/", accessKey: "hp_sk_x", fetch: counting.fetch });
    await hp.sessions.revoke({ tag, sessionId: unique("s") });
    expect(counting.sent[0]?.url.href).toBe("https://auth.example.com/hallpass/v1/sessions/revoke");
  });
});
