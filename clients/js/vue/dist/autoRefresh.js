// useSessionAutoRefresh: refreshes a session's token `refreshBefore` seconds before it expires.
import { HallpassError } from "@hallpass/client";
import { getCurrentInstance, getCurrentScope, onScopeDispose, ref, toValue } from "vue";
import { invokeCallback, toHallpassError } from "./mutation.js";
import { useSessionContext } from "./plugin.js";
/** Default `refreshBefore`, seconds. */
export const DEFAULT_REFRESH_BEFORE = 60;
/** The largest delay setTimeout takes (about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** When `refreshBefore` is not shorter than a token's life, refreshes are at least this far apart. */
const MIN_INTERVAL_MS = 1_000;
/**
 * Keeps a session's token fresh: `start()` schedules a refresh `refreshBefore` seconds before
 * the token expires (right away when the expiry is unknown), and each success schedules the
 * next one. Stops on `stop()`, on a failed refresh (after which `onError` is called), and when
 * the component (effect scope) is unmounted. Throws `publishable_key_forbidden` during setup
 * with a publishable key.
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
        isActive.value = false;
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
        const refreshToken = holding.refreshToken;
        const sentAt = sessions.seq;
        let result;
        try {
            result = await client.sessions.refresh({ tag, refreshToken });
        }
        catch (thrown) {
            if (gen !== generation)
                return;
            halt();
            invokeCallback(instance, options.onError, toHallpassError(thrown));
            return;
        }
        // Recorded even when stopped meanwhile: the old refresh token is spent, the new pair is the
        // session's only way on.
        const session = sessions.record(result.tag || tag, result, { spent: refreshToken, sentAt });
        if (gen !== generation)
            return;
        holding = session;
        currentToken.value = result.token;
        invokeCallback(instance, options.onRefresh, result);
        if (gen === generation)
            schedule(session, gen);
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
            schedule(known, gen);
        }
        else if (configured !== "") {
            // The token's expiry is unknown (e.g. tokens from localStorage at page load): refresh now.
            holding = { refreshToken: configured };
            isActive.value = true;
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