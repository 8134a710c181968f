/**
 * Every failure of a hallpass call: a server error (`code`, `status` and `message` from its
 * `{"error": {...}}` body), or one of the client's own:
 * - `publishable_key_forbidden` (403): a session or session-type method with a publishable key,
 *   thrown before anything is sent;
 * - `invalid_options`: the constructor got neither or both keys, or an invalid url;
 * - `network_error` (status 0): the server could not be reached;
 * - `timeout` (status 0): no answer within `timeoutMs`;
 * - `http_error`: an error status whose body is not hallpass's JSON error (a proxy's page);
 * - `invalid_response`: a success status whose body is not JSON;
 * - `feed_unavailable` (503): `@hallpass/client/verifier` has no revocation feed snapshot yet
 *   (or was closed), so it accepts no token.
 */
export class HallpassError extends Error {
    name = "HallpassError";
    /** Stable snake_case code (`token_expired`, `schema_violation`, `network_error`, …). */
    code;
    /** The HTTP status; 0 when no response arrived (network error, timeout, invalid options). */
    status;
    /** Seconds to wait before retrying, from `Retry-After` (429 `rate_limited`, 503). */
    retryAfter;
    constructor(code, status, message, options) {
        super(message, options && "cause" in options ? { cause: options.cause } : undefined);
        this.code = code;
        this.status = status;
        if (options?.retryAfter !== undefined)
            this.retryAfter = options.retryAfter;
        if (options?.refreshed !== undefined) {
            Object.defineProperty(this, "refreshed", { value: options.refreshed, enumerable: false, writable: false, configurable: true });
        }
    }
    /** True for a `HallpassError`, also one from another copy of this package. */
    static is(value) {
        return (value instanceof HallpassError ||
            (value instanceof Error &&
                value.name === "HallpassError" &&
                typeof value.code === "string" &&
                typeof value.status === "number"));
    }
    /** `{name, code, status, message}`, so logs and `JSON.stringify` show the code. */
    toJSON() {
        return {
            name: this.name,
            code: this.code,
            status: this.status,
            message: this.message,
            ...(this.retryAfter !== undefined ? { retryAfter: this.retryAfter } : {}),
        };
    }
}
/** The message of the client-side publishable-key refusal, as the server words it. */
export const PUBLISHABLE_KEY_MESSAGE = "publishable keys cannot call this method: sessions and session types are started and managed on your backend with an access key (hp_sk_…)";
//# sourceMappingURL=errors.js.map