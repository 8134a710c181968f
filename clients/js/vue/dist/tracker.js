// The latest session per tag that this app obtained (from useSessionStart, useSessionRefresh and
// useSessionAutoRefresh, and refreshes of its refresh token told by the client's onRefreshed:
// other tabs'), so that an auto-refresh started after a login uses the fresh pair even when its
// `refreshToken` option was captured (empty, or stale) before the login. It also hears what
// happens to that session's token: a new one from useSessionUpdate/useSessionReauthenticate, and
// a verify that found it superseded (a data change elsewhere), which it tells its subscribers
// (useSessionAutoRefresh) at once.
import { hashRefreshToken } from "@hallpass/client";
/** Skews up to this are ignored (iat has whole seconds, and the request took some time). */
export const CLOCK_SKEW_TOLERANCE_MS = 10_000;
/** How many spent refresh tokens are remembered per tag. */
const RETIRED_LIMIT = 64;
/** Reads `iat` (seconds) from a JWT's payload, or undefined. */
function issuedAtSeconds(token) {
    const payload = token.split(".")[1];
    if (!payload || typeof atob !== "function")
        return undefined;
    try {
        const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
        const claims = JSON.parse(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)));
        const iat = claims?.iat;
        return typeof iat === "number" && Number.isFinite(iat) ? iat : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * The local time at which a freshly issued token expires. The server's `expiresAt` is on the
 * server's clock; the token's `iat` is "now" on that clock, so `receivedAt - iat` is how far this
 * clock is ahead (up to a second of rounding plus the request's time, hence the tolerance).
 */
export function localExpiry(issued, receivedAt) {
    const expiresAt = Date.parse(issued.expiresAt);
    const iat = issuedAtSeconds(issued.token);
    if (iat === undefined || Number.isNaN(expiresAt))
        return expiresAt;
    const skew = receivedAt - iat * 1000;
    return Math.abs(skew) > CLOCK_SKEW_TOLERANCE_MS ? expiresAt + skew : expiresAt;
}
/** Per-app memory of the latest session of each tag. */
export class SessionTracker {
    #latest = new Map();
    /** Per tag: spent refresh token → the session it belonged to. */
    #retired = new Map();
    /** Per tag: the latest session's token when a verify found it superseded. */
    #stale = new Map();
    #listeners = new Set();
    #seq = 0;
    /** The `seq` of the newest record so far (0 before any). */
    get seq() {
        return this.#seq;
    }
    /** The latest session of `tag` obtained in this app, if any. */
    latest(tag) {
        return this.#latest.get(tag);
    }
    /** Forgets what is known of `tag` (or of every tag). */
    forget(tag) {
        if (tag === undefined) {
            this.#latest.clear();
            this.#retired.clear();
            this.#stale.clear();
        }
        else {
            this.#latest.delete(tag);
            this.#retired.delete(tag);
            this.#stale.delete(tag);
        }
    }
    /**
     * Records a start (no `refresh`) or a refresh (`spent`: the refresh token it used, `sentAt`:
     * {@link seq} when that refresh was sent). A start always becomes the latest; a refresh does
     * unless a different session was recorded after the refresh was sent (a login while it was in
     * flight).
     */
    record(tag, issued, refresh) {
        const current = this.#latest.get(tag);
        if (refresh && current && current.sessionId === issued.sessionId && current.refreshToken === issued.refreshToken) {
            // The same pair again (told by onRefreshed and answered to the caller, or a repeat within
            // the server's grace): it is already the latest.
            this.#retire(tag, refresh.spent, issued.sessionId);
            return current;
        }
        const receivedAt = Date.now();
        const session = {
            tag,
            sessionId: issued.sessionId,
            token: issued.token,
            refreshToken: issued.refreshToken,
            expiresAt: issued.expiresAt,
            expiresAtLocal: localExpiry(issued, receivedAt),
            receivedAt,
            identifier: issued.identifier ?? null,
            seq: ++this.#seq,
        };
        if (refresh) {
            this.#retire(tag, refresh.spent, issued.sessionId);
            if (current && current.sessionId !== issued.sessionId && current.seq > refresh.sentAt)
                return session;
        }
        this.#latest.set(tag, session);
        return session;
    }
    /**
     * A refresh the client told (`onRefreshed`: this app's own, or another tab's): when it spent
     * the refresh token of the latest session of its tag, its pair becomes the latest. Answers
     * that session, or undefined when the event is about another token.
     */
    adopt(event) {
        const current = this.#latest.get(event.tag);
        if (!current || hashRefreshToken(current.refreshToken) !== event.previousTokenHash)
            return undefined;
        return this.record(event.tag, event.result, { spent: current.refreshToken, sentAt: current.seq });
    }
    /**
     * An update or reauthenticate answered a new token of `changed.sessionId`: when that is the
     * latest session of `tag`, the new token (with its expiry) becomes its token, the refresh token
     * staying, and subscribers are told. Answers that session, or undefined for another session
     * (this app does not hold its refresh token, so there is nothing to keep fresh).
     */
    retoken(tag, changed) {
        const current = this.#latest.get(tag);
        if (!current || current.sessionId !== changed.sessionId)
            return undefined;
        if (current.token === changed.token)
            return current;
        const receivedAt = Date.now();
        const session = {
            ...current,
            token: changed.token,
            expiresAt: changed.expiresAt,
            expiresAtLocal: localExpiry({ ...current, ...changed }, receivedAt),
            receivedAt,
            seq: ++this.#seq,
        };
        this.#latest.set(tag, session);
        this.#emit({ type: "token", tag, session });
        return session;
    }
    /**
     * A verify in this app answered `token_superseded` for `token` of `tag` (its session's data
     * changed elsewhere): tells subscribers, so the auto-refresh holding it refreshes now, and
     * remembers it of the latest session, so an auto-refresh started later does too.
     */
    superseded(tag, token) {
        if (this.#latest.get(tag)?.token === token)
            this.#stale.set(tag, token);
        this.#emit({ type: "superseded", tag, token });
    }
    /** Whether a verify found `session`'s token superseded. */
    isSuperseded(session) {
        return this.#stale.get(session.tag) === session.token;
    }
    /** Calls `listener` with every {@link TrackerEvent}; answers the unsubscribe function. */
    subscribe(listener) {
        const entry = (event) => listener(event);
        this.#listeners.add(entry);
        return () => {
            this.#listeners.delete(entry);
        };
    }
    #emit(event) {
        for (const listener of [...this.#listeners])
            listener(event);
    }
    #retire(tag, spent, sessionId) {
        let retired = this.#retired.get(tag);
        if (!retired)
            this.#retired.set(tag, (retired = new Map()));
        retired.delete(spent);
        retired.set(spent, sessionId);
        if (retired.size > RETIRED_LIMIT)
            retired.delete(retired.keys().next().value);
    }
    /** Whether `refreshToken` was spent by a refresh of session `sessionId` of `tag`. */
    wasSpentBy(tag, refreshToken, sessionId) {
        return this.#retired.get(tag)?.get(refreshToken) === sessionId;
    }
}
//# sourceMappingURL=tracker.js.map