import { type RefreshCoordinationOptions, type SessionRefreshedListener } from "./refresh.js";
import { type FetchLike } from "./transport.js";
import type { IDeleted, IScope, ISessionListInput, ISessionListResult, ISessionReauthenticateInput, ISessionReauthenticateResult, ISessionRefreshInput, ISessionRefreshResult, ISessionRevokeAllInput, ISessionRevokeAllResult, ISessionRevokeInput, ISessionRevokeResult, ISessionStartInput, ISessionStartResult, ISessionType, ISessionTypeCreateInput, ISessionTypeDeleteOptions, ISessionTypeUpdateInput, ISessionUpdateAllInput, ISessionUpdateAllResult, ISessionUpdateInput, ISessionUpdateResult, ISessionVerifyInput, ISessionVerifyOrRefreshInput, ISessionVerifyOrRefreshResult, ISessionVerifyResult, SessionData } from "./types.js";
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
export type HallpassOptions = HallpassCommonOptions & ({
    /** Secret access key (`hp_sk_…`), or an admin key: for backends only. */
    accessKey: string;
    publishableKey?: undefined;
} | {
    /** Publishable key (`hp_pk_…`): safe in browsers; session and session-type methods refuse it. */
    publishableKey: string;
    accessKey?: undefined;
});
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
    update(patch: ISessionTypeUpdateInput & {
        tag: string;
    }): Promise<ISessionType>;
    /** One session type: `GET /v1/session-types/{tag}`. */
    fetch(tag: string, scope?: IScope): Promise<ISessionType>;
    /** Every session type of the product, as an array (as Ductape's `fetchAll`): `GET /v1/session-types`. */
    fetchAll(scope?: IScope): Promise<ISessionType[]>;
    /** Deletes a session type: `DELETE /v1/session-types/{tag}` (`force` revokes its active sessions). */
    delete(tag: string, options?: ISessionTypeDeleteOptions): Promise<IDeleted>;
}
/**
 * The hallpass client: `new Hallpass({ url, accessKey, product?, env? })`, then
 * `hallpass.sessions.start(...)` and friends. No runtime dependencies; Node 18+ and browsers.
 */
export declare class Hallpass {
    #private;
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
    constructor(options: HallpassOptions);
    /**
     * Closes the refresh coordination channel and forgets kept refresh results (optional; nothing
     * else holds resources). The client still works afterwards, without cross-tab coordination.
     */
    close(): void;
}
export {};
//# sourceMappingURL=client.d.ts.map