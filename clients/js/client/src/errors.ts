import type { HallpassErrorCode, ISessionRefreshResult } from "./types.js";

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
  override readonly name = "HallpassError";
  /** Stable snake_case code (`token_expired`, `schema_violation`, `network_error`, …). */
  readonly code: HallpassErrorCode;
  /** The HTTP status; 0 when no response arrived (network error, timeout, invalid options). */
  readonly status: number;
  /** Seconds to wait before retrying, from `Retry-After` (429 `rate_limited`, 503). */
  readonly retryAfter?: number;
  /**
   * Set by `sessions.verifyOrRefresh` when it failed after it refreshed (the refreshed token
   * was superseded again, or `maxAuthAge` refused it): the session's new pair. The refresh
   * token given was spent for it, so store this pair, or the next refresh presents a spent
   * token. Not enumerable and not in `toJSON()`, so logging the error does not log tokens.
   */
  declare readonly refreshed?: ISessionRefreshResult;

  constructor(
    code: HallpassErrorCode,
    status: number,
    message: string,
    options?: { cause?: unknown; retryAfter?: number; refreshed?: ISessionRefreshResult },
  ) {
    super(message, options && "cause" in options ? { cause: options.cause } : undefined);
    this.code = code;
    this.status = status;
    if (options?.retryAfter !== undefined) this.retryAfter = options.retryAfter;
    if (options?.refreshed !== undefined) {
      Object.defineProperty(this, "refreshed", { value: options.refreshed, enumerable: false, writable: false, configurable: true });
    }
  }

  /** True for a `HallpassError`, also one from another copy of this package. */
  static is(value: unknown): value is HallpassError {
    return (
      value instanceof HallpassError ||
      (value instanceof Error &&
        value.name === "HallpassError" &&
        typeof (value as { code?: unknown }).code === "string" &&
        typeof (value as { status?: unknown }).status === "number")
    );
  }

  /** `{name, code, status, message}`, so logs and `JSON.stringify` show the code. */
  toJSON(): { name: string; code: string; status: number; message: string; retryAfter?: number } {
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
export const PUBLISHABLE_KEY_MESSAGE =
  "publishable keys cannot call this method: sessions and session types are started and managed on your backend with an access key (hp_sk_…)";
