import { HallpassError, type SessionRefreshResult } from "@hallpass/client";
import { type MaybeRefOrGetter, type Ref } from "vue";
/** Options of `useSessionAutoRefresh`. */
export interface UseSessionAutoRefreshOptions {
    /** Session type tag. */
    tag: MaybeRefOrGetter<string>;
    /**
     * The refresh token to start from: a string, a Ref or a getter, read at each `start()`. When
     * the app obtained a newer pair of this tag (useSessionStart, useSessionRefresh, an
     * auto-refresh, another tab's refresh), `start()` uses that instead; see the README.
     */
    refreshToken: MaybeRefOrGetter<string | null | undefined>;
    /** Seconds before the token's expiry at which it is refreshed. Default 60. */
    refreshBefore?: MaybeRefOrGetter<number>;
    /**
     * Called with each new pair of the session (store it here): after each refresh this
     * auto-refresh sent (also when it was stopped or unmounted while the request was in flight),
     * and when another refresh (another tab, useSessionRefresh) spent the refresh token it holds.
     */
    onRefresh?: (result: SessionRefreshResult) => unknown;
    /**
     * Called when the auto-refresh gives up, which has stopped by then: a failure that is not
     * transient, or transient failures (network, timeout, 429, 5xx) until the token expired.
     */
    onError?: (error: HallpassError) => unknown;
}
/** What `useSessionAutoRefresh` answers. */
export interface UseSessionAutoRefreshReturn {
    /** True from `start()` until `stop()`, giving up after a failed refresh, or unmount (also while retrying). */
    isActive: Ref<boolean>;
    /** The latest token this auto-refresh knows (null before its first start or refresh). */
    currentToken: Ref<string | null>;
    /** Starts (or restarts) refreshing. */
    start: () => void;
    /** Stops refreshing: clears the timer; a refresh in flight still reports its new pair (onRefresh) but schedules nothing. */
    stop: () => void;
}
/** Default `refreshBefore`, seconds. */
export declare const DEFAULT_REFRESH_BEFORE = 60;
/**
 * Keeps a session's token fresh: `start()` schedules a refresh `refreshBefore` seconds before
 * the token expires (right away when the expiry is unknown), and each success schedules the
 * next one. A refresh of the held refresh token told by the client (another tab's, or
 * useSessionRefresh's) is taken on without a request. Transient failures are retried with
 * backoff while the token is valid. Stops on `stop()`, when it gives up (after which `onError`
 * is called), and when the component (effect scope) is unmounted. Throws
 * `publishable_key_forbidden` during setup with a publishable key.
 */
export declare function useSessionAutoRefresh(options: UseSessionAutoRefreshOptions): UseSessionAutoRefreshReturn;
