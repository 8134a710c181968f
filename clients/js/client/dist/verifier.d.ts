import { type JWTPayload } from "jose";
import { type ReconnectOptions } from "./feed.js";
import type { FetchLike } from "./transport.js";
export { SseParser } from "./feed.js";
export type { ReconnectOptions } from "./feed.js";
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
export declare function createVerifier(options: VerifierOptions): Verifier;
//# sourceMappingURL=verifier.d.ts.map