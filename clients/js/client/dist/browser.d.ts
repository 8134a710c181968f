import { type ReadableAtom } from "nanostores";
import { HallpassError } from "./errors.js";
import { type FetchLike } from "./transport.js";
import type { Schemas, SessionData } from "./types.js";
/** Options of {@link createBrowserClient}. */
export interface BrowserClientOptions {
    /**
     * Where the browser routes are served. Default `""`: the page's own origin, where the app's
     * proxy forwards `/v1/browser/…` to hallpass so that the browser sends its cookies.
     */
    baseURL?: string;
    /** The product, env and session type whose cookie session this is. */
    product: string;
    env: string;
    tag: string;
    /** How `$session` stays current. */
    session?: {
        /** Refetch every this many seconds while `$session` has listeners. Default 0: never. */
        refetchInterval?: number;
        /** Refetch when the tab becomes visible or gets focus again. Default true. */
        refetchOnWindowFocus?: boolean;
    };
    /**
     * Tell the other tabs of this origin of a sign-out or revocation, through a BroadcastChannel
     * of this name (default `hallpass:<product>/<env>/<tag>`); `false` turns it off.
     */
    broadcast?: string | false;
    /** The `fetch` to use; default the global one. */
    fetch?: FetchLike;
    /** Abort a call that has not answered after this many milliseconds (code `timeout`). Default 30000. */
    timeoutMs?: number;
}
/** The session a browser's cookie names: `sessionId`, `tag`, `identifier`, `createdAt`, `expiresAt`. */
export type BrowserSessionInfo = Schemas["BrowserSessionInfo"];
/**
 * A signed-in browser's session and its data (what `GET session` answers), and the data again
 * as `user`: the name frontends written for Nevr's or better-auth's client read (`session.data.user.name`), for session data
 * that describes the user, as it usually does.
 */
export interface BrowserSession<TData = SessionData> {
    session: BrowserSessionInfo;
    data: TData;
    user: TData;
}
/** One of the user's sessions, with `current: true` on this browser's own. */
export type BrowserSessionItem = Schemas["BrowserSessionItem"];
/** The user's active sessions of this type, newest first, and how many there are. */
export type BrowserSessionList = Schemas["BrowserSessionsResponse"];
/** What `refresh` answers: the session and when it ends unless refreshed again. */
export type BrowserRefreshResult = Schemas["BrowserRefreshResponse"];
/**
 * What every method answers (it never throws): `data`, or `error` when the call failed. Being
 * signed out is not an error: `getSession` then answers `{ data: null, error: null }`.
 */
export interface BrowserResult<T> {
    data: T | null;
    error: HallpassError | null;
}
/** The value of `$session`. */
export interface BrowserSessionState<TData = SessionData> {
    /** The session, or `null` when signed out (or not known yet). */
    data: BrowserSession<TData> | null;
    /** The error of the latest fetch (network, server); `null` when it succeeded or found no session. */
    error: HallpassError | null;
    /** True until the first fetch has settled. */
    isPending: boolean;
    /** True while a refetch is in flight (after the first). */
    isRefetching: boolean;
    /** Fetches the session again now. */
    refetch: () => Promise<void>;
}
/** The browser client: the methods, and `$session`, a nanostores store of the session. */
export interface BrowserClient<TData = SessionData> {
    /** The session of this browser, refreshing once through the refresh cookie when the token cookie is gone or expired. */
    getSession(): Promise<BrowserResult<BrowserSession<TData>>>;
    /**
     * The session as a store (nanostores `ReadableAtom`): read it with `useStore(client.$session)`
     * of `@nanostores/react`, `/vue`, `/preact`, `/solid`, or Svelte's `$`. Fetched when its first
     * listener subscribes, then per `session.refetchInterval`, on focus, and after a sign-out or
     * revocation in this or another tab.
     */
    readonly $session: ReadableAtom<BrowserSessionState<TData>>;
    /** Rotates the refresh cookie for a new pair of cookies. */
    refresh(): Promise<BrowserResult<BrowserRefreshResult>>;
    /** Revokes this browser's session and clears its cookies; `$session` becomes signed out here and in other tabs. */
    signOut(): Promise<BrowserResult<{
        revoked: boolean;
    }>>;
    /** The user's active sessions of this type (devices), the current one marked. */
    listSessions(): Promise<BrowserResult<BrowserSessionList>>;
    /** Revokes one of the user's sessions (another device, or this one, which signs out). */
    revokeSession(sessionId: string): Promise<BrowserResult<{
        revoked: boolean;
    }>>;
    /** The same methods under the names Nevr's and better-auth's clients call them by: `client.auth.getSession()`, `client.auth.signOut()`. */
    readonly auth: BrowserAuth<TData>;
}
/** The methods of a {@link BrowserClient}, as `client.auth`. */
export type BrowserAuth<TData = SessionData> = Pick<BrowserClient<TData>, "getSession" | "refresh" | "signOut" | "listSessions" | "revokeSession">;
/**
 * A client of one session type's browser routes. No key: the cookies authenticate.
 *
 * ```ts
 * const client = createBrowserClient({ product: "shop", env: "prd", tag: "user-session" });
 * const { data } = await client.getSession();
 * ```
 */
export declare function createBrowserClient<TData = SessionData>(options: BrowserClientOptions): BrowserClient<TData>;
//# sourceMappingURL=browser.d.ts.map