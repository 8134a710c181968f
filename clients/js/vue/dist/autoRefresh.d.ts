import { HallpassError, type SessionRefreshResult } from "@hallpass/client";
import { type MaybeRefOrGetter, type Ref } from "vue";
/** Options of `useSessionAutoRefresh`. */
export interface UseSessionAutoRefreshOptions {
    /** Session type tag. */
    tag: MaybeRefOrGetter<string>;
    /**
     * The refresh token to start from: a string, a Ref or a getter, read at each `start()`. When
     * the app obtained a newer pair of this tag (useSessionStart, useSessionRefresh, an
     * auto-refresh), `start()` uses that instead; see the README.
     */
    refreshToken: MaybeRefOrGetter<string | null | undefined>;
    /** Seconds before the token's expiry at which it is refreshed. Default 60. */
    refreshBefore?: MaybeRefOrGetter<number>;
    /** Called after each successful refresh with the new pair (store it here). */
    onRefresh?: (result: SessionRefreshResult) => unknown;
    /** Called when a refresh fails; the auto-refresh has stopped by then. */
    onError?: (error: HallpassError) => unknown;
}
/** What `useSessionAutoRefresh` answers. */
export interface UseSessionAutoRefreshReturn {
    /** True from `start()` until `stop()`, a failed refresh, or unmount. */
    isActive: Ref<boolean>;
    /** The latest token this auto-refresh knows (null before its first start or refresh). */
    currentToken: Ref<string | null>;
    /** Starts (or restarts) refreshing. */
    start: () => void;
    /** Stops refreshing: clears the timer; a refresh in flight is not reported. */
    stop: () => void;
}
/** Default `refreshBefore`, seconds. */
export declare const DEFAULT_REFRESH_BEFORE = 60;
/**
 * Keeps a session's token fresh: `start()` schedules a refresh `refreshBefore` seconds before
 * the token expires (right away when the expiry is unknown), and each success schedules the
 * next one. Stops on `stop()`, on a failed refresh (after which `onError` is called), and when
 * the component (effect scope) is unmounted. Throws `publishable_key_forbidden` during setup
 * with a publishable key.
 */
export declare function useSessionAutoRefresh(options: UseSessionAutoRefreshOptions): UseSessionAutoRefreshReturn;
