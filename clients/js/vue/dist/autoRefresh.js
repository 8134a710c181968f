// useSessionAutoRefresh: refreshes a session's token `refreshBefore` seconds before it expires.
import { HallpassError, hashRefreshToken } from "@hallpass/client";
import { getCurrentInstance, getCurrentScope, onScopeDispose, ref, toValue } from "vue";
import { invokeCallback, toHallpassError } from "./mutation.js";
import { useSessionContext } from "./plugin.js";
/** Default `refreshBefore`, seconds. */
export const DEFAULT_REFRESH_BEFORE = 60;
/** The largest delay setTimeout takes (about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** When `refreshBefore` is not shorter than a token's life, refreshes are at least this far apart. */
const MIN_INTERVAL_MS = 1_000;
/** The wait before the first retry of a transient failure; it doubles with each further failure. */
const RETRY_FIRST_MS = 1_000;
/** The longest wait between retries (a `Retry-After` may ask for longer). */
const RETRY_MAX_MS = 30_000;
/** Expiry unknown (a refresh token from storage): transient failures are retried this long. */
const RETRY_WINDOW_UNKNOWN_EXPIRY_MS = 5 * 60_000;
/**
 * Failures worth retrying: the server was not reached or did not answer in time
 * (`network_error`, `timeout`), rate limiting (429 `rate_limited`), and server errors (5xx:
 * `store_unavailable`, `internal`, a proxy's 502/503/504).
 */
function isTransient(error) {
    return error.code === "network_error" || error.code === "timeout" || error.status === 429 || error.status >= 500;
}
/**
 * Keeps a session's token fresh: `start()` schedules a refresh `refreshBefore` seconds before
 * the token expires (right away when the expiry is unknown), and each success schedules the
 * next one. A refresh of the held refresh token told by the client (another tab's, or
 * useSessionRefresh's) is taken on without a request. Transient failures are retried with
 * backoff while the token is valid. Stops on `stop()`, when it gives up (after which `onError`
 * is called), and when the component (effect scope) is unmounted. Throws
 * `publishable_key_forbidden` during setup with a publishable key.
 */
export function useSessionAutoRefresh(options) {
    const { client, sessions } = useSessionContext("useSessionAutoRefresh");
    const instance = getCurrentInstance();
    const isActive = ref(false);
    const currentToken = ref(null);
    let timer;
    /** Bumped by start() and stop(): work of an older generation is dropped. */
    let generation = 0;
    let tag = "";
    let holding;
    /** Transient failures in a row of the current refresh, and when the first of them came. */
    let failures = 0;
    let firstFailureAt = 0;
    /** Unsubscribes from the client's onRefreshed while active. */
    let unsubscribe;
    /** Unsubscribes from the plugin's session memory (new tokens, superseded reports) while active. */
    let untrack;
    /** The refresh token of the refresh in flight, if any. */
    let refreshing;
    /** The last token a superseded report made this auto-refresh refresh: each token refreshes once. */
    let answeredSuperseded;
    /** The SHA-256 of the refresh token held, as onRefreshed events name the spent one. */
    let hashed;
    const heldHash = (token) => {
        if (hashed?.token !== token)
            hashed = { token, hash: hashRefreshToken(token) };
        return hashed.hash;
    };
    const readRefreshToken = () => {
        const value = toValue(options.refreshToken);
        return typeof value === "string" ? value : "";
    };
    // The configured refresh token and the tracker's seq when it was first seen: a tracked
    // session with a higher seq was obtained after it, so it is newer.
    let seenToken = readRefreshToken();
    let seenSeq = sessions.seq;
    const refreshBeforeMs = () => {
        const seconds = Number(toValue(options.refreshBefore) ?? DEFAULT_REFRESH_BEFORE);
        return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
    };
    /** When to refresh a session: refreshBefore ahead of its expiry (local clock). */
    const dueAt = (session) => {
        // An unreadable expiry (never from a hallpass server): retry in a minute, never in a loop.
        if (!Number.isFinite(session.expiresAtLocal))
            return session.receivedAt + 60_000;
        const due = session.expiresAtLocal - refreshBeforeMs();
        if (due > session.receivedAt)
            return due;
        // refreshBefore is not shorter than the token's life: refresh halfway through it instead of
        // in a loop.
        return session.receivedAt + Math.max(MIN_INTERVAL_MS, (session.expiresAtLocal - session.receivedAt) / 2);
    };
    const clearTimer = () => {
        if (timer !== undefined)
            clearTimeout(timer);
        timer = undefined;
    };
    const arm = (due, gen) => {
        clearTimer();
        const delay = Math.max(0, due - Date.now());
        if (delay === 0) {
            // Already due (e.g. start() long after the pair was obtained): refresh now, as when the
            // expiry is unknown. No loop: a fresh pair is never due at once (see dueAt).
            void fire(gen);
            return;
        }
        timer = setTimeout(() => {
            timer = undefined;
            if (gen !== generation)
                return;
            if (delay > MAX_TIMEOUT_MS)
                arm(due, gen);
            else
                void fire(gen);
        }, Math.min(delay, MAX_TIMEOUT_MS));
    };
    const schedule = (session, gen) => {
        arm(dueAt(session), gen);
    };
    const halt = () => {
        generation++;
        clearTimer();
        unsubscribe?.();
        unsubscribe = undefined;
        untrack?.();
        untrack = undefined;
        failures = 0;
        isActive.value = false;
    };
    /**
     * Takes on `result`, the pair that replaced `spent` (the refresh token held): the plugin's
     * memory, `currentToken`, and `onRefresh` so the app stores it.
     */
    const adopt = (result, spent, sentAt) => {
        const session = sessions.record(result.tag || tag, result, { spent, sentAt });
        holding = session;
        currentToken.value = result.token;
        failures = 0;
        invokeCallback(instance, options.onRefresh, result);
        return session;
    };
    /**
     * A refresh the client told of (another tab's, useSessionRefresh's, or this auto-refresh's
     * own request): when it spent the refresh token held, its pair is this session's now. Taking
     * it on (and rescheduling from its expiry) is what keeps a tab from presenting a refresh token
     * that another tab spent long ago, which the server would take for theft.
     */
    const onRefreshed = (event) => {
        if (!holding || !isActive.value || event.tag !== tag)
            return;
        const spent = holding.refreshToken;
        if (heldHash(spent) !== event.previousTokenHash)
            return;
        const gen = generation;
        const session = adopt(event.result, spent, "seq" in holding ? holding.seq : sessions.seq);
        if (gen === generation)
            schedule(session, gen);
    };
    /** Refreshes now, unless a refresh of the held refresh token is in flight (it brings a new token). */
    const refreshSoon = (gen) => {
        if (!holding || refreshing === holding.refreshToken)
            return;
        clearTimer();
        void refreshNow(gen);
    };
    /**
     * What the plugin's session memory tells. A new token of the session held (useSessionUpdate,
     * useSessionReauthenticate; same refresh token) is taken on: `currentToken`, and the next
     * refresh scheduled from its expiry. A verify that found the token held superseded (its data
     * changed elsewhere: another device's update, an updateAll) refreshes at once rather than at
     * the due time, since that token is refused from now on; once per token, so repeated reports
     * never loop (a failed refresh is retried or given up as any other).
     */
    const onTracked = (event) => {
        if (!holding || !isActive.value || event.tag !== tag)
            return;
        const gen = generation;
        if (event.type === "token") {
            if (event.session.refreshToken !== holding.refreshToken)
                return;
            holding = event.session;
            currentToken.value = event.session.token;
            if (refreshing !== event.session.refreshToken)
                schedule(event.session, gen);
            return;
        }
        if (event.token !== currentToken.value || event.token === answeredSuperseded)
            return;
        answeredSuperseded = event.token;
        refreshSoon(gen);
    };
    const listen = () => {
        untrack = sessions.subscribe(onTracked);
        // A client from an older copy of @hallpass/client may not have onRefreshed.
        if (typeof client.sessions.onRefreshed !== "function")
            return;
        unsubscribe = client.sessions.onRefreshed(onRefreshed);
    };
    /**
     * When to retry after `error`, or undefined to give up: a transient failure is retried after
     * 1 s, 2 s, 4 s, … (at most 30 s; longer when the server's Retry-After asks) while the token
     * held has not expired (expiry unknown: for 5 minutes); the last retry is at the expiry.
     */
    const retryAt = (error) => {
        if (!holding || !isTransient(error))
            return undefined;
        const now = Date.now();
        if (failures === 0)
            firstFailureAt = now;
        failures++;
        const deadline = "seq" in holding && Number.isFinite(holding.expiresAtLocal) ? holding.expiresAtLocal : firstFailureAt + RETRY_WINDOW_UNKNOWN_EXPIRY_MS;
        if (now >= deadline)
            return undefined;
        const backoff = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(failures - 1, 30));
        const asked = error.retryAfter !== undefined && Number.isFinite(error.retryAfter) ? error.retryAfter * 1000 : 0;
        if (asked > backoff)
            return now + asked;
        return Math.min(now + backoff, deadline);
    };
    /** Whether `latest` is a newer pair of the session held (refreshed elsewhere in the app). */
    const supersedes = (latest, held) => {
        if (latest === held)
            return false;
        if ("seq" in held && held.sessionId === latest.sessionId && latest.seq > held.seq)
            return true;
        return sessions.wasSpentBy(tag, held.refreshToken, latest.sessionId);
    };
    const fire = async (gen) => {
        const latest = sessions.latest(tag);
        if (latest && holding && supersedes(latest, holding)) {
            // Someone in the app refreshed this session meanwhile: continue from their pair.
            holding = latest;
            currentToken.value = latest.token;
            failures = 0;
            if (dueAt(latest) > Date.now()) {
                schedule(latest, gen);
                return;
            }
        }
        await refreshNow(gen);
    };
    const refreshNow = async (gen) => {
        if (!holding)
            return;
        const spent = holding.refreshToken;
        const sentTag = tag;
        const sentAt = sessions.seq;
        let result;
        refreshing = spent;
        try {
            result = await client.sessions.refresh({ tag: sentTag, refreshToken: spent });
        }
        catch (thrown) {
            if (refreshing === spent)
                refreshing = undefined;
            // Stopped or restarted meanwhile, or the held token's new pair was taken on meanwhile
            // (onRefreshed, which scheduled from it): this failure no longer matters.
            if (gen !== generation || holding?.refreshToken !== spent)
                return;
            const error = toHallpassError(thrown);
            const retry = retryAt(error);
            if (retry !== undefined) {
                arm(retry, gen);
                return;
            }
            halt();
            invokeCallback(instance, options.onError, error);
            return;
        }
        // The old refresh token is spent: the new pair is the session's only way on. It goes to the
        // plugin's memory and, unless something else took it on already (onRefreshed) or this
        // auto-refresh moved to another session, to onRefresh so the app stores it, also when it was
        // stopped or unmounted meanwhile. Only the next refresh is not scheduled then.
        if (refreshing === spent)
            refreshing = undefined;
        if (holding?.refreshToken === spent)
            adopt(result, spent, sentAt);
        else
            sessions.record(result.tag || sentTag, result, { spent, sentAt });
        const held = holding;
        if (gen === generation && held && "seq" in held && held.refreshToken === result.refreshToken) {
            schedule(held, gen);
        }
    };
    const start = () => {
        halt();
        const gen = generation;
        tag = toValue(options.tag);
        const configured = readRefreshToken();
        if (configured !== seenToken) {
            seenToken = configured;
            seenSeq = sessions.seq;
        }
        const known = sessions.latest(tag);
        const useKnown = known !== undefined &&
            (configured === "" ||
                configured === known.refreshToken ||
                sessions.wasSpentBy(tag, configured, known.sessionId) ||
                known.seq > seenSeq);
        if (known && useKnown) {
            holding = known;
            currentToken.value = known.token;
            isActive.value = true;
            listen();
            if (sessions.isSuperseded(known) && known.token !== answeredSuperseded) {
                // A verify found its token superseded before this start: refresh now, as on the report.
                answeredSuperseded = known.token;
                void refreshNow(gen);
            }
            else {
                schedule(known, gen);
            }
        }
        else if (configured !== "") {
            // The token's expiry is unknown (e.g. tokens from localStorage at page load): refresh now.
            holding = { refreshToken: configured };
            isActive.value = true;
            listen();
            void refreshNow(gen);
        }
        else {
            holding = undefined;
            invokeCallback(instance, options.onError, new HallpassError("refresh_token_invalid", 0, `useSessionAutoRefresh(): no refresh token for "${tag}": the refreshToken option is empty and this app has started or refreshed no session of that tag`));
        }
    };
    const stop = () => {
        halt();
    };
    if (getCurrentScope())
        onScopeDispose(stop);
    return { isActive, currentToken, start, stop };
}
//# sourceMappingURL=autoRefresh.js.map