import type { ISessionRefreshResult } from "./types.js";
/** The part of the Web Locks API the client uses; `navigator.locks` fits. */
export interface LockManagerLike {
    request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
}
/**
 * How `sessions.refresh` coordinates with other tabs; see the README. Without the option the
 * client coordinates across tabs in browsers (a `document`, or `navigator.locks`) and keeps
 * only the in-client single flight elsewhere (Node); an object (even `{}`) turns coordination
 * on with its settings, `false` turns it off.
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
export declare class RefreshCoordinator {
    #private;
    constructor(options: RefreshCoordinationOptions | false | undefined, timeoutMs: number);
    /**
     * Runs `send` for this refresh token unless a call of this client is already refreshing it
     * (then shares that call) or another tab is or just did (then uses its result).
     */
    refresh(scopeKey: string, tag: string, refreshToken: string, send: () => Promise<ISessionRefreshResult>): Promise<ISessionRefreshResult>;
    /** Closes the channel and drops what is kept in memory. */
    close(): void;
}
//# sourceMappingURL=refresh.d.ts.map