import type { ISessionRefreshResult } from "./types.js";
/** The part of the Web Locks API the client uses; `navigator.locks` fits. */
export interface LockManagerLike {
    request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
}
/**
 * How `sessions.refresh` coordinates with other tabs; see the README. Without the option the
 * client coordinates across tabs in browsers (a `document`, or `navigator.locks` in a web
 * worker) and keeps only the in-client single flight in server processes (Node, even with its
 * `navigator.locks`; Deno; Bun); an object (even `{}`) turns coordination on with its settings,
 * `false` turns it off.
 */
export interface RefreshCoordinationOptions {
    /** BroadcastChannel name, also the prefix of lock names. Default `"hallpass-refresh"`. */
    channelName?: string;
    /** Web Locks to use: default `globalThis.navigator.locks` when present; `null` disables locks. */
    locks?: LockManagerLike | null;
    /** Publish and receive results on the BroadcastChannel (when the runtime has one). Default true. */
    broadcast?: boolean;
    /** Without locks: how long a tab waits for other announcements before it refreshes. Default 50 ms. */
    settleMs?: number;
    /** How long results of other tabs (and our own) are kept to answer a late refresh of the same token; at most (and default) 60000 ms. */
    resultTtlMs?: number;
}
/**
 * What `sessions.onRefreshed` listeners get: a refresh token was spent for `result`, by this
 * client (`source: "request"`) or by another tab of the origin (`source: "broadcast"`).
 */
export interface SessionRefreshedEvent {
    /** Session type tag of the refresh. */
    tag: string;
    /**
     * Lowercase hex SHA-256 of the refresh token that was spent (never the token itself): compare
     * it with `hashRefreshToken(theTokenYouHold)`; when equal, `result` is your session's new pair.
     */
    previousTokenHash: string;
    /** The new pair (token, refresh token, expiries) of the same session. */
    result: ISessionRefreshResult;
    /** `"request"`: this client's own refresh; `"broadcast"`: another tab's, over the BroadcastChannel. */
    source: "request" | "broadcast";
}
/** A `sessions.onRefreshed` listener. */
export type SessionRefreshedListener = (event: SessionRefreshedEvent) => void;
export declare class RefreshCoordinator {
    #private;
    constructor(options: RefreshCoordinationOptions | false | undefined, timeoutMs: number);
    /**
     * Runs `send` for this refresh token unless a call of this client is already refreshing it
     * (then shares that call) or another tab is or just did (then uses its result).
     */
    refresh(scopeKey: string, tag: string, refreshToken: string, send: () => Promise<ISessionRefreshResult>): Promise<ISessionRefreshResult>;
    /**
     * Calls `listener` with every refresh result this client sees: its own, and other tabs' from
     * the channel (when cross-tab coordination is on). Answers the function that unsubscribes.
     */
    onRefreshed(listener: SessionRefreshedListener): () => void;
    /** Closes the channel and drops what is kept in memory (listeners stay: own refreshes are still told). */
    close(): void;
}
/**
 * Lowercase hex SHA-256 of a refresh token: what lock names, channel messages and
 * `SessionRefreshedEvent.previousTokenHash` carry instead of the token. Synchronous and
 * dependency-free (no `crypto.subtle`, which plain-http pages and Node 18 lack).
 */
export declare function hashRefreshToken(refreshToken: string): string;
//# sourceMappingURL=refresh.d.ts.map