import type { components } from "./generated/openapi.js";
/** The generated OpenAPI schemas (`components["schemas"]`), for callers that want the wire types. */
export type Schemas = components["schemas"];
/** Flattens an intersection so editors show one object type. */
type Simplify<T> = {
    [K in keyof T]: T[K];
} & {};
/** Session data when the caller does not name its type (Ductape's examples read `result.data.userId`). */
export type SessionData = Record<string, any>;
/** Any JSON object (session type schemas). */
export type JsonObject = {
    [key: string]: unknown;
};
/** `product` and `env` of one call; each defaults to the client's option, then to the key's scope. */
export interface IScope {
    /** Product tag (optional, uses the client's `product`, else the key's). */
    product?: string | null;
    /** Environment (optional, uses the client's `env`, else the key's). */
    env?: string | null;
}
/** Where a session was started from (`device` of start, list items). */
export type IDevice = Schemas["DeviceBody"];
/** Input of `sessions.start` (`ISessionStartInput`, as Ductape's sessions SDK names it). */
export type ISessionStartInput<TData extends object = SessionData> = Simplify<Omit<Schemas["StartRequest"], "data" | "identifier"> & {
    /** Session data, encrypted into the token; must match the session type's schema. */
    data: TData;
    /** User identifier for listing/revoking; else the type's selector picks it from `data`. */
    identifier?: string | number | null;
}>;
/** Result of `sessions.start` and `sessions.refresh`: `sessionId`, `token`, `refreshToken`, `expiresAt`, `refreshExpiresAt`, `tag`, `identifier`, `cookies?`. */
export type ISessionStartResult = Schemas["IssuedResponse"];
/**
 * Input of `sessions.verify` (`ISessionVerifyInput`, as Ductape's sessions SDK names it).
 * `token` also takes `null`, so Ductape's documented `token: localStorage.getItem(...)`
 * compiles; the server answers `null` with 422 `invalid_request`.
 */
export type ISessionVerifyInput = Simplify<Omit<Schemas["VerifyRequest"], "token"> & {
    /** The session token (`null` is sent and answered 422 `invalid_request`). */
    token: string | null;
}>;
/** Result of `sessions.verify`, with the decrypted `data` typed as `TData`. */
export type ISessionVerifyResult<TData = SessionData> = Simplify<Omit<Schemas["VerifyResponse"], "data"> & {
    /** Decrypted session data. */
    data: TData;
}>;
/**
 * Input of `sessions.refresh`. `refreshToken` also takes `null` (Ductape's examples pass
 * `localStorage.getItem(...)`); the server answers `null` with 422 `invalid_request`.
 */
export type ISessionRefreshInput = Simplify<Omit<Schemas["RefreshRequest"], "refreshToken"> & {
    /** The refresh token (`null` is sent and answered 422 `invalid_request`). */
    refreshToken: string | null;
}>;
/** Result of `sessions.refresh`: the same shape as start, a new token and refresh token for the same `sessionId`. */
export type ISessionRefreshResult = Schemas["IssuedResponse"];
/**
 * Input of `sessions.verifyOrRefresh`: verify's (`tag`, `token`, `maxAuthAge?`, `product?`,
 * `env?`) plus the session's `refreshToken`, spent only when the token is superseded. `null`
 * (nothing stored) is taken as no refresh token: a superseded token then throws as verify does.
 */
export type ISessionVerifyOrRefreshInput = Simplify<ISessionVerifyInput & {
    /** The session's refresh token (`null`: none, so a superseded token is not refreshed). */
    refreshToken: string | null;
}>;
/**
 * Result of `sessions.verifyOrRefresh`: the verification (of the refreshed token when there was
 * a refresh), and `refreshed`, the session's new pair when the given token was superseded, else
 * `null`. The given refresh token is spent then: hand `refreshed.token` and
 * `refreshed.refreshToken` back to whoever holds the old ones.
 */
export type ISessionVerifyOrRefreshResult<TData = SessionData> = Simplify<ISessionVerifyResult<TData> & {
    /** The new pair when the token was superseded and refreshed, else `null`. */
    refreshed: ISessionRefreshResult | null;
}>;
/**
 * The `data` of an update: with `merge` (the default) the keys to change, a key given as `null`
 * being removed; with `merge: false` the whole new data. Either way the result must match the
 * session type's schema (else 422 `schema_violation`, nothing changed).
 */
export type SessionDataPatch<TData extends object = SessionData> = {
    [K in keyof TData]?: TData[K] | null;
};
/** Input of `sessions.update`: `tag`, `sessionId`, `data` (a {@link SessionDataPatch}), `merge?` (default true). */
export type ISessionUpdateInput<TData extends object = SessionData> = Simplify<Omit<Schemas["UpdateRequest"], "data"> & {
    /** The keys to change (`null` removes one), or with `merge: false` the whole new data. */
    data: SessionDataPatch<TData>;
}>;
/**
 * Result of `sessions.update` and `sessions.reauthenticate`: the session after the change
 * (`data` typed as `TData`), with a fresh `token` and its `expiresAt`, and `updatedAt`. There is
 * no new refresh token: the session's refresh token keeps working.
 */
export type ISessionUpdateResult<TData = SessionData> = Simplify<Omit<Schemas["UpdateResponse"], "data"> & {
    /** The session data after the change. */
    data: TData;
}>;
/** Input of `sessions.updateAll`: every active session of `identifier` gets `data` as `update` applies it. */
export type ISessionUpdateAllInput<TData extends object = SessionData> = Simplify<Omit<Schemas["UpdateAllRequest"], "data"> & {
    /** The keys to change (`null` removes one), or with `merge: false` the whole new data. */
    data: SessionDataPatch<TData>;
}>;
/** Result of `sessions.updateAll`: how many sessions changed (0 when the identifier has none). */
export type ISessionUpdateAllResult = Schemas["UpdateAllResponse"];
/** Input of `sessions.reauthenticate`: `tag`, `sessionId`, `amr?` (replaces the recorded methods). */
export type ISessionReauthenticateInput = Schemas["ReauthenticateRequest"];
/** Result of `sessions.reauthenticate`: the same shape as update's, a token whose `authenticatedAt` is now. */
export type ISessionReauthenticateResult<TData = SessionData> = ISessionUpdateResult<TData>;
/** Input of `sessions.revoke`. */
export type ISessionRevokeInput = Schemas["RevokeRequest"];
/** Result of `sessions.revoke`: `revoked` is true if the session was active, false if it had already ended. */
export type ISessionRevokeResult = Schemas["RevokeResponse"];
/** Input of `sessions.revokeAll` (`excludeCurrentSession` is a sessionId to keep). */
export type ISessionRevokeAllInput = Schemas["RevokeAllRequest"];
/** Result of `sessions.revokeAll`. */
export type ISessionRevokeAllResult = Schemas["RevokeAllResponse"];
/** Input of `sessions.list` (`limit` default 100, max 1000; `cursor` is the previous page's `nextCursor`). */
export type ISessionListInput = Schemas["ListRequest"];
/** One active session in `sessions.list`. */
export type ISessionListItem = Schemas["SessionItem"];
/** Result of `sessions.list`: `sessions` (newest first), `count` (all active sessions of the identifier), `nextCursor?`. */
export type ISessionListResult = Schemas["ListResponse"];
/** Browser cookie settings of a session type (input; omitted fields take their defaults). */
export type ICookieSettingsInput = Schemas["CookieBody"];
/** Browser cookie settings of a session type, every field filled in. */
export type ICookieSettings = Schemas["CookieResponse"];
type SessionTypeBody = Simplify<Omit<Schemas["SessionTypeBody"], "schema"> & {
    /** Example object (every key required, same JSON types), or a JSON Schema document (with `"$schema"`). */
    schema?: JsonObject | null;
}>;
/** Input of `sessionTypes.create`: `tag`, `name`, `expiry` and `period` are required (Ductape's `IProductSession`). */
export type ISessionTypeCreateInput = Simplify<Omit<SessionTypeBody, "tag" | "name" | "expiry" | "period"> & {
    /** Tag, unique in the product: `[a-z0-9][a-z0-9_-]{0,63}`. */
    tag: string;
    /** Display name. */
    name: string;
    /** Token lifetime in `period` units. */
    expiry: number;
    /** `seconds|minutes|hours|days|weeks` (singular accepted). */
    period: NonNullable<SessionTypeBody["period"]>;
}>;
/** Input of `sessionTypes.update`: the fields to merge (`null` clears a nullable field). */
export type ISessionTypeUpdateInput = SessionTypeBody;
/** A session type as the server answers it: every field, defaults filled in, plus `createdAt`, `updatedAt`. */
export type ISessionType = Simplify<Omit<Schemas["SessionTypeResponse"], "schema"> & {
    /** Schema (example object, JSON Schema document, or null). */
    schema?: JsonObject | null;
}>;
/** Options of `sessionTypes.delete`. */
export interface ISessionTypeDeleteOptions extends IScope {
    /** Revoke the type's active sessions and delete it anyway (else 409 `conflict` while it has any). */
    force?: boolean;
}
/** Answer of every deletion: `{ deleted: true }`. */
export type IDeleted = Schemas["Deleted"];
/** Ductape's name for a session type configuration (the input of `create`). */
export type IProductSession = ISessionTypeCreateInput;
/** The error body of every failed call: `{"error": {"code", "message", "status"}}`. */
export type IErrorBody = Schemas["ErrorBody"];
/** The codes the server answers with: generated from the server's one table of codes (the
 * `ErrorCode` schema of docs/openapi.json; docs/API.md §5.2 says when each is given). */
export type ServerErrorCode = Schemas["ErrorCode"];
/**
 * Codes a `HallpassError` can carry: the server's ({@link ServerErrorCode}) and the client's own
 * (`publishable_key_forbidden` before sending, `invalid_options`, `network_error`, `timeout`,
 * `http_error`, `invalid_response`). Other strings are possible from newer servers.
 */
export type HallpassErrorCode = ServerErrorCode | "invalid_options" | "network_error" | "timeout" | "http_error" | "invalid_response" | "feed_unavailable" | (string & {});
export type SessionStartInput<TData extends object = SessionData> = ISessionStartInput<TData>;
export type SessionStartResult = ISessionStartResult;
export type SessionVerifyInput = ISessionVerifyInput;
export type SessionVerifyResult<TData = SessionData> = ISessionVerifyResult<TData>;
export type SessionRefreshInput = ISessionRefreshInput;
export type SessionRefreshResult = ISessionRefreshResult;
export type SessionVerifyOrRefreshInput = ISessionVerifyOrRefreshInput;
export type SessionVerifyOrRefreshResult<TData = SessionData> = ISessionVerifyOrRefreshResult<TData>;
export type SessionUpdateInput<TData extends object = SessionData> = ISessionUpdateInput<TData>;
export type SessionUpdateResult<TData = SessionData> = ISessionUpdateResult<TData>;
export type SessionUpdateAllInput<TData extends object = SessionData> = ISessionUpdateAllInput<TData>;
export type SessionUpdateAllResult = ISessionUpdateAllResult;
export type SessionReauthenticateInput = ISessionReauthenticateInput;
export type SessionReauthenticateResult<TData = SessionData> = ISessionReauthenticateResult<TData>;
export type SessionRevokeInput = ISessionRevokeInput;
export type SessionRevokeResult = ISessionRevokeResult;
export type SessionRevokeAllInput = ISessionRevokeAllInput;
export type SessionRevokeAllResult = ISessionRevokeAllResult;
export type SessionListInput = ISessionListInput;
export type SessionListItem = ISessionListItem;
export type SessionListResult = ISessionListResult;
export type SessionType = ISessionType;
export type SessionTypeCreateInput = ISessionTypeCreateInput;
export type SessionTypeUpdateInput = ISessionTypeUpdateInput;
export type SessionTypeDeleteOptions = ISessionTypeDeleteOptions;
export type Device = IDevice;
export {};
//# sourceMappingURL=types.d.ts.map