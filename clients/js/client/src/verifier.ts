// @hallpass/client/verifier: verifies hallpass tokens locally, with no request per token. The
// signature is checked with the env's JWKS (fetched once, refetched when a token names a key
// it does not know, at most every `jwksRefetchIntervalMs`), the claims in the server's order
// (docs/API.md §3.4), and revoked and superseded sessions are refused from the revocation feed
// (docs/API.md §14.4), held in memory. The session data stays encrypted: the verifier has no
// data key, so it answers the claims, not the data.
import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK, type JWTPayload, type CryptoKey } from "jose";

import { HallpassError } from "./errors.js";
import { RevocationFeed, type ReconnectOptions } from "./feed.js";
import type { FetchLike } from "./transport.js";

export { SseParser } from "./feed.js";
export type { ReconnectOptions } from "./feed.js";

/** The longest token lifetime hallpass issues (one year) plus a day, as the server bounds `exp`. */
const MAX_LIFETIME_MS = (365 + 1) * 24 * 3600 * 1000;
/** Algorithms the JWKS may hold (HS256 keys are secret and never published). */
const ALGORITHMS = ["EdDSA", "ES256"];

export interface VerifierOptions {
  /** The hallpass server (or any node of a deployment), e.g. `https://sessions.example.com`. */
  url: string;
  /** The product tag. */
  product: string;
  /** The env tag. */
  env: string;
  /** An access key of that env (or of every env of the product). Never a publishable key. */
  accessKey: string;
  /** If set, tokens whose `iss` differs are refused (`token_signature_invalid`). */
  issuer?: string;
  /** Least time between two JWKS fetches for unknown key ids, in ms (default 10,000). */
  jwksRefetchIntervalMs?: number;
  /** How the feed reconnects. */
  reconnect?: ReconnectOptions;
  /** fetch to use (default: the global one). */
  fetch?: FetchLike;
}

export interface VerifyOptions {
  /** The session type the token must be of (`tag_mismatch` otherwise). */
  tag: string;
}

/** What a verified token says (the data stays encrypted in `claims.dat`). */
export interface VerifiedToken {
  sessionId: string;
  /** The session's identifier (`sub`), or null. */
  identifier: string | null;
  tag: string;
  product: string;
  env: string;
  issuedAt: Date;
  expiresAt: Date;
  /** When the user last authenticated (`auth_time`), or null for tokens without it. */
  authenticatedAt: Date | null;
  /** The authentication methods (`amr`), or null. */
  amr: string[] | null;
  /** The data version the token carries (`ver`, 0 when absent). */
  version: number;
  /** Every claim, as signed. */
  claims: JWTPayload;
}

export interface Verifier {
  /**
   * Verifies `token` locally. Throws `HallpassError` (status 401) with the server's codes:
   * `token_malformed`, `token_signature_invalid`, `token_expired`, `tag_mismatch`,
   * `wrong_environment`, `session_revoked`, `token_superseded`; and `feed_unavailable` (503)
   * until the feed's first snapshot has arrived (fail closed), or after `close()`.
   */
  verify(token: string, options: VerifyOptions): Promise<VerifiedToken>;
  /** Resolves once the feed's first snapshot has arrived. */
  ready(): Promise<void>;
  /** Stops the feed; `verify` refuses from then on. */
  close(): void;
}

/** Starts a verifier: opens the revocation feed and fetches the JWKS at once. */
export function createVerifier(options: VerifierOptions): Verifier {
  for (const field of ["url", "product", "env", "accessKey"] as const) {
    if (typeof options[field] !== "string" || options[field] === "") {
      throw new HallpassError("invalid_options", 0, `createVerifier needs ${field}`);
    }
  }
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const feed = new RevocationFeed({
    url: options.url,
    product: options.product,
    env: options.env,
    accessKey: options.accessKey,
    fetch: fetchImpl,
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
  });
  const keys = new JwksCache(options, fetchImpl, options.jwksRefetchIntervalMs ?? 10_000);
  void keys.refresh().catch(() => undefined);
  let closed = false;

  return {
    async verify(token, { tag }) {
      if (closed) throw new HallpassError("feed_unavailable", 503, "this verifier was closed");
      if (!feed.ready) {
        throw new HallpassError(
          "feed_unavailable",
          503,
          `the revocation feed has not sent its first snapshot yet, so no token is accepted${feed.lastError ? ` (${feed.lastError})` : ""}`,
        );
      }
      const claims = await checkSignature(token, keys, options.issuer);
      const now = Date.now();
      const exp = (claims.exp ?? 0) * 1000;
      if (exp > now + MAX_LIFETIME_MS) fail("token_malformed", "its exp is further away than the longest lifetime hallpass issues (1 year)");
      if (typeof claims.sid !== "string" || typeof claims.tag !== "string" || typeof claims.iat !== "number") {
        fail("token_malformed", "it lacks the sid, tag or iat claim");
      }
      if (claims.tag !== tag) fail("tag_mismatch", `the token is of session type '${String(claims.tag)}', not '${tag}'`);
      if (claims.prd !== options.product || claims.env !== options.env) {
        fail("wrong_environment", `the token is of ${String(claims.prd)}/${String(claims.env)}`);
      }
      const sessionId = claims.sid as string;
      const version = typeof claims.ver === "number" ? claims.ver : 0;
      if (feed.isRevoked(sessionId, now)) fail("session_revoked", "the session was revoked");
      if (feed.isSuperseded(sessionId, version, now)) fail("token_superseded", "the session's data changed since this token was issued: refresh it");
      return {
        sessionId,
        identifier: typeof claims.sub === "string" ? claims.sub : null,
        tag: claims.tag as string,
        product: options.product,
        env: options.env,
        issuedAt: new Date((claims.iat as number) * 1000),
        expiresAt: new Date(exp),
        authenticatedAt: typeof claims.auth_time === "number" ? new Date(claims.auth_time * 1000) : null,
        amr: Array.isArray(claims.amr) ? (claims.amr as string[]) : null,
        version,
        claims,
      };
    },
    ready: () => feed.whenReady(),
    close() {
      closed = true;
      feed.close();
    },
  };
}

function fail(code: string, message: string): never {
  throw new HallpassError(code, 401, message);
}

/** Checks the form, the key and the signature, then `exp` and `nbf` (§3.4 steps 1 to 3). */
async function checkSignature(token: string, keys: JwksCache, issuer: string | undefined): Promise<JWTPayload> {
  if (typeof token !== "string" || token.split(".").length !== 3 || token.split(".").some((p) => p === "")) {
    fail("token_malformed", "a JWS compact token has three non-empty base64url parts separated by dots");
  }
  let header: { alg?: string; kid?: string };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    fail("token_malformed", "its header is not base64url JSON");
  }
  if (typeof header.alg !== "string" || header.alg.toLowerCase() === "none") fail("token_malformed", "alg none is never accepted");
  if (typeof header.kid !== "string") fail("token_malformed", "its header has no kid");
  const key = await keys.get(header.kid);
  if (key === undefined) fail("token_signature_invalid", "no key of this env has that kid");
  if (key.alg !== header.alg) fail("token_malformed", `alg ${header.alg} is not the algorithm of its key (${key.alg})`);
  try {
    const { payload } = await jwtVerify(token, key.key, {
      algorithms: [key.alg],
      clockTolerance: 0,
      requiredClaims: ["exp", "iat"],
      ...(issuer ? { issuer } : {}),
    });
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) fail("token_signature_invalid", "the signature does not verify");
    if (error instanceof joseErrors.JWTExpired) fail("token_expired", "the token has expired");
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "iss") fail("token_signature_invalid", "its iss is not this server's");
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "nbf") {
      fail("token_malformed", "its nbf is in the future, and hallpass never issues tokens that start later");
    }
    fail("token_malformed", "its signature or claims cannot be read");
  }
}

/** The env's public keys by kid, fetched once and again for an unknown kid (rate limited). */
class JwksCache {
  private keys = new Map<string, { alg: string; key: CryptoKey | Uint8Array }>();
  private inFlight: Promise<void> | undefined;
  private lastFetch = -Infinity;

  constructor(
    private readonly options: VerifierOptions,
    private readonly fetchImpl: FetchLike,
    private readonly minIntervalMs: number,
  ) {}

  async get(kid: string): Promise<{ alg: string; key: CryptoKey | Uint8Array } | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    // A key rotated moments ago: one fetch, shared by concurrent calls, at most every interval.
    if (this.inFlight === undefined && Date.now() - this.lastFetch >= this.minIntervalMs) {
      await this.refresh().catch(() => undefined);
    } else if (this.inFlight) {
      await this.inFlight.catch(() => undefined);
    }
    return this.keys.get(kid);
  }

  refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    this.lastFetch = Date.now();
    const { url, product, env } = this.options;
    const response = await this.fetchImpl(
      `${url.replace(/\/+$/, "")}/v1/jwks/${encodeURIComponent(product)}/${encodeURIComponent(env)}`,
      { method: "GET", headers: { accept: "application/json" } },
    );
    if (!response.ok) throw new Error(`the JWKS answered ${response.status}`);
    const jwks = (await response.json()) as { keys?: JWK[] };
    const next = new Map<string, { alg: string; key: CryptoKey | Uint8Array }>();
    for (const jwk of jwks.keys ?? []) {
      if (typeof jwk.kid !== "string" || typeof jwk.alg !== "string" || !ALGORITHMS.includes(jwk.alg)) continue;
      next.set(jwk.kid, { alg: jwk.alg, key: await importJWK(jwk, jwk.alg) });
    }
    this.keys = next;
  }
}
