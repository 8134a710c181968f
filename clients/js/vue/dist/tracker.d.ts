import { type SessionRefreshedEvent } from "@hallpass/client";
/** What start and refresh answer that the tracker keeps. */
export interface IssuedSession {
    sessionId: string;
    token: string;
    refreshToken: string;
    expiresAt: string;
    identifier?: string | null;
}
/** A session the app holds: the latest token pair of one tag. */
export interface TrackedSession {
    tag: string;
    sessionId: string;
    token: string;
    refreshToken: string;
    /** The token's expiry as the server said it (ISO 8601). */
    expiresAt: string;
    /**
     * The token's expiry on this machine's clock (ms since the epoch): `expiresAt`, moved by the
     * clock skew measured from the token's `iat` when this clock is off by more than
     * {@link CLOCK_SKEW_TOLERANCE_MS}.
     */
    expiresAtLocal: number;
    /** When the app received it (ms since the epoch, local clock). */
    receivedAt: number;
    /** The user it belongs to, as start/refresh answered it. */
    identifier?: string | null;
    /** Order of receipt in this app (1, 2, …): a higher one is newer. */
    seq: number;
}
/** A new token of a session that update and reauthenticate answer (the refresh token stays). */
export interface RetokenedSession {
    sessionId: string;
    token: string;
    expiresAt: string;
}
/**
 * What a tracker tells its subscribers: `token`, the latest session of a tag got a new token
 * (an update or reauthenticate in this app; same refresh token); `superseded`, a verify in this
 * app answered `token_superseded` for `token`, so whoever holds it needs a refresh.
 */
export type TrackerEvent = {
    type: "token";
    tag: string;
    session: TrackedSession;
} | {
    type: "superseded";
    tag: string;
    token: string;
};
/** Skews up to this are ignored (iat has whole seconds, and the request took some time). */
export declare const CLOCK_SKEW_TOLERANCE_MS = 10000;
/**
 * The local time at which a freshly issued token expires. The server's `expiresAt` is on the
 * server's clock; the token's `iat` is "now" on that clock, so `receivedAt - iat` is how far this
 * clock is ahead (up to a second of rounding plus the request's time, hence the tolerance).
 */
export declare function localExpiry(issued: IssuedSession, receivedAt: number): number;
/** Per-app memory of the latest session of each tag. */
export declare class SessionTracker {
    #private;
    /** The `seq` of the newest record so far (0 before any). */
    get seq(): number;
    /** The latest session of `tag` obtained in this app, if any. */
    latest(tag: string): TrackedSession | undefined;
    /** Forgets what is known of `tag` (or of every tag). */
    forget(tag?: string): void;
    /**
     * Records a start (no `refresh`) or a refresh (`spent`: the refresh token it used, `sentAt`:
     * {@link seq} when that refresh was sent). A start always becomes the latest; a refresh does
     * unless a different session was recorded after the refresh was sent (a login while it was in
     * flight).
     */
    record(tag: string, issued: IssuedSession, refresh?: {
        spent: string;
        sentAt: number;
    }): TrackedSession;
    /**
     * A refresh the client told (`onRefreshed`: this app's own, or another tab's): when it spent
     * the refresh token of the latest session of its tag, its pair becomes the latest. Answers
     * that session, or undefined when the event is about another token.
     */
    adopt(event: SessionRefreshedEvent): TrackedSession | undefined;
    /**
     * An update or reauthenticate answered a new token of `changed.sessionId`: when that is the
     * latest session of `tag`, the new token (with its expiry) becomes its token, the refresh token
     * staying, and subscribers are told. Answers that session, or undefined for another session
     * (this app does not hold its refresh token, so there is nothing to keep fresh).
     */
    retoken(tag: string, changed: RetokenedSession): TrackedSession | undefined;
    /**
     * A verify in this app answered `token_superseded` for `token` of `tag` (its session's data
     * changed elsewhere): tells subscribers, so the auto-refresh holding it refreshes now, and
     * remembers it of the latest session, so an auto-refresh started later does too.
     */
    superseded(tag: string, token: string): void;
    /** Whether a verify found `session`'s token superseded. */
    isSuperseded(session: TrackedSession): boolean;
    /** Calls `listener` with every {@link TrackerEvent}; answers the unsubscribe function. */
    subscribe(listener: (event: TrackerEvent) => void): () => void;
    /** Whether `refreshToken` was spent by a refresh of session `sessionId` of `tag`. */
    wasSpentBy(tag: string, refreshToken: string, sessionId: string): boolean;
}
