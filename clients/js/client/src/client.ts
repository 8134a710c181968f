import { HallpassError, PUBLISHABLE_KEY_MESSAGE } from "./errors.js";
import { RefreshCoordinator, type RefreshCoordinationOptions, type SessionRefreshedListener } from "./refresh.js";
import { Transport, type FetchLike } from "./transport.js";
import type {
  IDeleted,
  IScope,
  ISessionListInput,
  ISessionListResult,
  ISessionReauthenticateInput,
  ISessionReauthenticateResult,
  ISessionRefreshInput,
  ISessionRefreshResult,
  ISessionRevokeAllInput,
  ISessionRevokeAllResult,
  ISessionRevokeInput,
  ISessionRevokeResult,
  ISessionStartInput,
  ISessionStartResult,
  ISessionType,
  ISessionTypeCreateInput,
  ISessionTypeDeleteOptions,
  ISessionTypeUpdateInput,
  ISessionUpdateAllInput,
  ISessionUpdateAllResult,
  ISessionUpdateInput,
  ISessionUpdateResult,
  ISessionVerifyInput,
  ISessionVerifyOrRefreshInput,
  ISessionVerifyOrRefreshResult,
  ISessionVerifyResult,
  SessionData,
  Schemas,
} from "./types.js";

/** Options shared by both key kinds. */
interface HallpassCommonOptions {
  /** Base URL of the hallpass server, e.g. `https://auth.example.com` (a path prefix is kept). */
  url: string;
  /** Default product of every call (else the key's product). */
  product?: string;
  /** Default env of every call (else the key's env; a key for all envs needs one). */
  env?: string;
  /** The `fetch` to use; default the global `fetch` (Node 18+, browsers). */
  fetch?: FetchLike;
  /** Abort a call that has not answered after this many milliseconds (code `timeout`). Default 30000. */
  timeoutMs?: number;
  /** How `sessions.refresh` coordinates with other tabs; `false` keeps only the in-client single flight. */
  refreshCoordination?: RefreshCoordinationOptions | false;
}

/** Options of `new Hallpass(...)`: exactly one of `accessKey` (backends) and `publishableKey` (browsers). */
export type HallpassOptions = HallpassCommonOptions &
  (
    | {
        /** Secret access key (`hp_sk_…`), or an admin key: for backends only. */
        accessKey: string;
        publishableKey?: undefined;
      }
    | {
        /** Publishable key (`hp_pk_…`): safe in browsers; session and session-type methods refuse it. */
        publishableKey: string;
        accessKey?: undefined;
      }
  );

/** `hallpass.sessions`: the session methods, as Ductape's sessions SDK names them (docs/API.md §4, §11.3). */
export interface HallpassSessions {
  /** Starts a session: `POST /v1/sessions/start`. */
  start<TData extends object = SessionData>(input: ISessionStartInput<TData>): Promise<ISessionStartResult>;
  /**
   * Verifies a token and answers its decrypted data: `POST /v1/sessions/verify`. `maxAuthAge`
   * (seconds) refuses, with 401 `reauthentication_required`, a user who authenticated longer ago.
   */
  verify<TData = SessionData>(input: ISessionVerifyInput): Promise<ISessionVerifyResult<TData>>;
  /**
   * Verifies a token and, when an update superseded it (401 `token_superseded`), refreshes once
   * with `refreshToken` and verifies the new token: the result is that verification plus
   * `refreshed`, the new pair to hand back (or `null` when the token verified as it was). Any
   * other error, a failed refresh, or a refreshed token that fails too (superseded again,
   * `maxAuthAge`) rejects with `HallpassError`; after a refresh the error's `refreshed` holds
   * the new pair.
   */
  verifyOrRefresh<TData = SessionData>(input: ISessionVerifyOrRefreshInput): Promise<ISessionVerifyOrRefreshResult<TData>>;
  /**
   * Spends a refresh token for a new pair: `POST /v1/sessions/refresh`. Concurrent calls with
   * the same token share one request, and tabs of one origin coordinate (see the README).
   */
  refresh(input: ISessionRefreshInput): Promise<ISessionRefreshResult>;
  /** Revokes one session: `POST /v1/sessions/revoke`. */
  revoke(input: ISessionRevokeInput): Promise<ISessionRevokeResult>;
  /** Revokes every session of an identifier, except `excludeCurrentSession`: `POST /v1/sessions/revoke-all`. */
  revokeAll(input: ISessionRevokeAllInput): Promise<ISessionRevokeAllResult>;
  /** Lists an identifier's active sessions, newest first: `POST /v1/sessions/list`. */
  list(input: ISessionListInput): Promise<ISessionListResult>;
  /**
   * Changes a live session's data (shallow merge by default, `null` removes a key; `merge: false`
   * replaces it) and answers a token with it: `POST /v1/sessions/update`. Every older token of
   * the session is refused from then on (`token_superseded`); its refresh token keeps working,
   * and the next refresh carries the new data, which is how the change reaches other devices.
   */
  update<TData extends object = SessionData>(input: ISessionUpdateInput<TData>): Promise<ISessionUpdateResult<TData>>;
  /** Changes the data of every active session of an identifier, as `update` does: `POST /v1/sessions/update-all`. */
  updateAll<TData extends object = SessionData>(input: ISessionUpdateAllInput<TData>): Promise<ISessionUpdateAllResult>;
  /**
   * Records that the user proved who they are again (step-up): `POST /v1/sessions/reauthenticate`.
   * Answers a token whose `authenticatedAt` is now (and `amr`, if given); older tokens stay valid
   * with their older time, so `verify({ maxAuthAge })` passes only the new one.
   */
  reauthenticate<TData = SessionData>(input: ISessionReauthenticateInput): Promise<ISessionReauthenticateResult<TData>>;
  /**
   * Calls `listener` with every refresh result this client sees: its own `refresh` calls and,
   * where tabs coordinate, other tabs' refreshes (`{ tag, previousTokenHash, result, source }`).
   * `previousTokenHash` is the SHA-256 hex of the spent refresh token (compare it with
   * `hashRefreshToken(token)`); the raw old token is never passed. Answers the unsubscribe
   * function. Sends nothing, so it also works with a publishable key (it then never fires).
   */
  onRefreshed(listener: SessionRefreshedListener): () => void;
}

/** `hallpass.sessionTypes`: the session-type methods, as Ductape's session configuration names them (docs/API.md §4.8). */
export interface HallpassSessionTypes {
  /** Creates a session type: `POST /v1/session-types` (409 `conflict` if the tag exists). */
  create(input: ISessionTypeCreateInput): Promise<ISessionType>;
  /** Merges fields into a session type: `PATCH /v1/session-types/{tag}`. */
  update(tag: string, patch: ISessionTypeUpdateInput): Promise<ISessionType>;
  /** The form of Ductape's session-type `update`: the tag inside the patch locates the session type. */
  update(patch: ISessionTypeUpdateInput & { tag: string }): Promise<ISessionType>;
  /** One session type: `GET /v1/session-types/{tag}`. */
  fetch(tag: string, scope?: IScope): Promise<ISessionType>;
  /** Every session type of the product, as an array (as Ductape's `fetchAll`): `GET /v1/session-types`. */
  fetchAll(scope?: IScope): Promise<ISessionType[]>;
  /** Deletes a session type: `DELETE /v1/session-types/{tag}` (`force` revokes its active sessions). */
  delete(tag: string, options?: ISessionTypeDeleteOptions): Promise<IDeleted>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The hallpass client: `new Hallpass({ url, accessKey, product?, env? })`, then
 * `hallpass.sessions.start(...)` and friends. No runtime dependencies; Node 18+ and browsers.
 */
export class Hallpass {
  /** Session methods (docs/API.md §4). */
  readonly sessions: HallpassSessions;
  /** Session-type methods (docs/API.md §4.8). */
  readonly sessionTypes: HallpassSessionTypes;
  /** The server's base URL, without a trailing slash. */
  readonly url: string;
  /** Default product of every call, if given. */
  readonly product: string | undefined;
  /** Default env of every call, if given. */
  readonly env: string | undefined;
  /** True when the client holds a publishable key: session and session-type methods reject. */
  readonly usesPublishableKey: boolean;

  readonly #transport: Transport;
  readonly #refresh: RefreshCoordinator;

  constructor(options: HallpassOptions) {
    if (typeof options !== "object" || options === null) {
      throw invalidOptions("new Hallpass(options) needs an options object: { url, accessKey } or { url, publishableKey }");
    }
    const { accessKey, publishableKey } = options as { accessKey?: unknown; publishableKey?: unknown };
    const hasAccess = accessKey !== undefined && accessKey !== null;
    const hasPublishable = publishableKey !== undefined && publishableKey !== null;
    if (hasAccess && hasPublishable) {
      throw invalidOptions("give either accessKey (backends) or publishableKey (browsers), not both");
    }
    if (!hasAccess && !hasPublishable) {
      throw invalidOptions("a key is required: accessKey (hp_sk_…, backends) or publishableKey (hp_pk_…, browsers)");
    }
    const key = hasAccess ? accessKey : publishableKey;
    if (typeof key !== "string" || key.trim() === "" || /\s/.test(key)) {
      throw invalidOptions(`${hasAccess ? "accessKey" : "publishableKey"} must be a non-empty string without spaces`);
    }

    this.url = baseUrl(options.url);
    for (const name of ["product", "env"] as const) {
      const value = options[name];
      if (value !== undefined && (typeof value !== "string" || value === "")) {
        throw invalidOptions(`${name} must be a non-empty string when given`);
      }
    }
    this.product = options.product;
    this.env = options.env;

    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw invalidOptions("timeoutMs must be a positive number of milliseconds");
    }
    let fetchFn: FetchLike;
    if (options.fetch !== undefined) {
      if (typeof options.fetch !== "function") throw invalidOptions("fetch must be a function");
      fetchFn = options.fetch;
    } else {
      if (typeof globalThis.fetch !== "function") {
        throw invalidOptions("this runtime has no global fetch (Node 18+ and browsers do): pass one as the fetch option");
      }
      // Called through globalThis so browsers do not see an illegal invocation.
      fetchFn = (input, init) => globalThis.fetch(input, init);
    }

    // A publishable key given as accessKey is still a publishable key: refuse it before sending.
    this.usesPublishableKey = hasPublishable || key.startsWith("hp_pk_");
    this.#transport = new Transport({ baseUrl: this.url, key, fetch: fetchFn, timeoutMs });
    this.#refresh = new RefreshCoordinator(options.refreshCoordination, timeoutMs);
    this.sessions = this.#makeSessions();
    this.sessionTypes = this.#makeSessionTypes();
  }

  /**
   * Closes the refresh coordination channel and forgets kept refresh results (optional; nothing
   * else holds resources). The client still works afterwards, without cross-tab coordination.
   */
  close(): void {
    this.#refresh.close();
  }

  #backendOnly(): void {
    if (this.usesPublishableKey) throw new HallpassError("publishable_key_forbidden", 403, PUBLISHABLE_KEY_MESSAGE);
  }

  /** The input with `product`/`env` from the options when the call does not name them. */
  #scoped<T extends IScope>(input: T): T {
    // A missing input is sent as {} so the server names the missing fields (422 invalid_request).
    const given = (typeof input === "object" && input !== null ? input : {}) as T;
    return { ...given, product: given.product ?? this.product, env: given.env ?? this.env };
  }

  #query(scope: IScope | undefined): { product?: string | null; env?: string | null } {
    return { product: scope?.product ?? this.product, env: scope?.env ?? this.env };
  }

  #post<T>(path: string, body: unknown): Promise<T> {
    return this.#transport.send<T>("POST", path, { body });
  }

  #makeSessions(): HallpassSessions {
    const sessions: HallpassSessions = {
      start: async <TData extends object = SessionData>(input: ISessionStartInput<TData>) => {
        this.#backendOnly();
        return this.#post<ISessionStartResult>("/v1/sessions/start", this.#scoped(input));
      },
      verify: async <TData = SessionData>(input: ISessionVerifyInput) => {
        this.#backendOnly();
        return this.#post<ISessionVerifyResult<TData>>("/v1/sessions/verify", this.#scoped(input));
      },
      verifyOrRefresh: async <TData = SessionData>(input: ISessionVerifyOrRefreshInput) => {
        this.#backendOnly();
        const given = (typeof input === "object" && input !== null ? input : {}) as ISessionVerifyOrRefreshInput;
        const { refreshToken, ...verifyInput } = given;
        try {
          return { ...(await sessions.verify<TData>(verifyInput)), refreshed: null };
        } catch (error) {
          // Only a superseded token has a newer one to get; without a refresh token there is none.
          if (!isSuperseded(error) || typeof refreshToken !== "string" || refreshToken === "") throw error;
        }
        // Through `refresh`, so the single flight, the tabs' coordination and onRefreshed
        // listeners (an auto-refresh holding this refresh token) all see it.
        const refreshed = await sessions.refresh({ tag: verifyInput.tag, refreshToken, product: verifyInput.product, env: verifyInput.env });
        try {
          return { ...(await sessions.verify<TData>({ ...verifyInput, token: refreshed.token })), refreshed };
        } catch (error) {
          throw afterRefresh(error, refreshed);
        }
      },
      refresh: async (input: ISessionRefreshInput) => {
        this.#backendOnly();
        const body = this.#scoped(input);
        const send = () => this.#post<ISessionRefreshResult>("/v1/sessions/refresh", body);
        if (typeof body.refreshToken !== "string" || body.refreshToken === "" || typeof body.tag !== "string") return send();
        return this.#refresh.refresh(`${body.product ?? ""}\u0000${body.env ?? ""}`, body.tag, body.refreshToken, send);
      },
      revoke: async (input: ISessionRevokeInput) => {
        this.#backendOnly();
        return this.#post<ISessionRevokeResult>("/v1/sessions/revoke", this.#scoped(input));
      },
      revokeAll: async (input: ISessionRevokeAllInput) => {
        this.#backendOnly();
        return this.#post<ISessionRevokeAllResult>("/v1/sessions/revoke-all", this.#scoped(input));
      },
      list: async (input: ISessionListInput) => {
        this.#backendOnly();
        return this.#post<ISessionListResult>("/v1/sessions/list", this.#scoped(input));
      },
      update: async <TData extends object = SessionData>(input: ISessionUpdateInput<TData>) => {
        this.#backendOnly();
        return this.#post<ISessionUpdateResult<TData>>("/v1/sessions/update", this.#scoped(input));
      },
      updateAll: async <TData extends object = SessionData>(input: ISessionUpdateAllInput<TData>) => {
        this.#backendOnly();
        return this.#post<ISessionUpdateAllResult>("/v1/sessions/update-all", this.#scoped(input));
      },
      reauthenticate: async <TData = SessionData>(input: ISessionReauthenticateInput) => {
        this.#backendOnly();
        return this.#post<ISessionReauthenticateResult<TData>>("/v1/sessions/reauthenticate", this.#scoped(input));
      },
      onRefreshed: (listener: SessionRefreshedListener) => this.#refresh.onRefreshed(listener),
    };
    return sessions;
  }

  #makeSessionTypes(): HallpassSessionTypes {
    const typePath = (tag: unknown) => {
      if (typeof tag !== "string" || tag === "") {
        // Mirrors the server's answer to a request without a required field.
        throw new HallpassError("invalid_request", 422, "a session type tag (non-empty string) is required");
      }
      return `/v1/session-types/${encodeURIComponent(tag)}`;
    };
    return {
      create: async (input: ISessionTypeCreateInput) => {
        this.#backendOnly();
        return this.#post<ISessionType>("/v1/session-types", this.#scoped(input));
      },
      update: async (tagOrPatch: string | (ISessionTypeUpdateInput & { tag: string }), patch?: ISessionTypeUpdateInput) => {
        this.#backendOnly();
        let tag: string;
        let body: ISessionTypeUpdateInput;
        if (typeof tagOrPatch === "string") {
          tag = tagOrPatch;
          body = patch ?? {};
        } else {
          const { tag: inner, ...rest } = tagOrPatch ?? ({} as { tag: string });
          tag = inner;
          body = rest;
        }
        const path = typePath(tag);
        return this.#transport.send<ISessionType>("PATCH", path, { body: this.#scoped(body) });
      },
      fetch: async (tag: string, scope?: IScope) => {
        this.#backendOnly();
        return this.#transport.send<ISessionType>("GET", typePath(tag), { query: this.#query(scope) });
      },
      fetchAll: async (scope?: IScope) => {
        this.#backendOnly();
        const list = await this.#transport.send<Schemas["SessionTypeList"]>("GET", "/v1/session-types", { query: this.#query(scope) });
        if (!list || !Array.isArray(list.sessionTypes)) {
          throw new HallpassError("invalid_response", 200, "GET /v1/session-types answered without a sessionTypes array");
        }
        return list.sessionTypes as ISessionType[];
      },
      delete: async (tag: string, options?: ISessionTypeDeleteOptions) => {
        this.#backendOnly();
        return this.#transport.send<IDeleted>("DELETE", typePath(tag), {
          query: { ...this.#query(options), force: options?.force ? "true" : undefined },
        });
      },
    };
  }
}

function isSuperseded(error: unknown): boolean {
  return HallpassError.is(error) && error.code === "token_superseded";
}

/**
 * A failure of verifyOrRefresh's second verify, carrying the pair the refresh got (the refresh
 * token given is spent, so the caller must not lose it).
 */
function afterRefresh(error: unknown, refreshed: ISessionRefreshResult): unknown {
  if (!HallpassError.is(error)) return error;
  const again = error.code === "token_superseded" ? "was superseded too (the session changed again meanwhile)" : "failed";
  return new HallpassError(
    error.code,
    error.status,
    `${error.message} (sessions.verifyOrRefresh: the token was superseded, so it refreshed once, and the refreshed token ${again}; error.refreshed holds the session's new pair, which replaces the spent refresh token)`,
    { cause: error, ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}), refreshed },
  );
}

function invalidOptions(message: string): HallpassError {
  return new HallpassError("invalid_options", 0, `invalid Hallpass options: ${message}`);
}

function baseUrl(url: unknown): string {
  if (typeof url !== "string" || url.trim() === "") {
    throw invalidOptions("url is required: the hallpass server's base URL, e.g. http://127.0.0.1:8420");
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidOptions(`url '${url}' is not an absolute URL (e.g. http://127.0.0.1:8420)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw invalidOptions(`url '${url}' must be http:// or https://`);
  }
  if (parsed.search || parsed.hash) throw invalidOptions(`url '${url}' must not have a query or fragment`);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}
