import { type SessionData, type SessionListInput, type SessionListResult, type SessionReauthenticateInput, type SessionReauthenticateResult, type SessionRefreshInput, type SessionRefreshResult, type SessionRevokeAllInput, type SessionRevokeAllResult, type SessionRevokeInput, type SessionRevokeResult, type SessionStartInput, type SessionStartResult, type SessionUpdateAllInput, type SessionUpdateAllResult, type SessionUpdateInput, type SessionUpdateResult, type SessionVerifyInput, type SessionVerifyResult } from "@hallpass/client";
import { type MutationOptions, type MutationReturn } from "./mutation.js";
/** Options of `useSessionStart`. */
export type UseSessionStartOptions<TData extends object = SessionData> = MutationOptions<SessionStartResult, SessionStartInput<TData>>;
/** What `useSessionStart` answers. */
export type UseSessionStartReturn<TData extends object = SessionData> = MutationReturn<SessionStartResult, SessionStartInput<TData>>;
/** Options of `useSessionVerify`. */
export type UseSessionVerifyOptions<TData = SessionData> = MutationOptions<SessionVerifyResult<TData>, SessionVerifyInput>;
/** What `useSessionVerify` answers. */
export type UseSessionVerifyReturn<TData = SessionData> = MutationReturn<SessionVerifyResult<TData>, SessionVerifyInput>;
/** Options of `useSessionRefresh`. */
export type UseSessionRefreshOptions = MutationOptions<SessionRefreshResult, SessionRefreshInput>;
/** What `useSessionRefresh` answers. */
export type UseSessionRefreshReturn = MutationReturn<SessionRefreshResult, SessionRefreshInput>;
/** Options of `useSessionRevoke`. */
export type UseSessionRevokeOptions = MutationOptions<SessionRevokeResult, SessionRevokeInput>;
/** What `useSessionRevoke` answers. */
export type UseSessionRevokeReturn = MutationReturn<SessionRevokeResult, SessionRevokeInput>;
/** Options of `useSessionRevokeAll`. */
export type UseSessionRevokeAllOptions = MutationOptions<SessionRevokeAllResult, SessionRevokeAllInput>;
/** What `useSessionRevokeAll` answers. */
export type UseSessionRevokeAllReturn = MutationReturn<SessionRevokeAllResult, SessionRevokeAllInput>;
/** Options of `useSessionList`. */
export type UseSessionListOptions = MutationOptions<SessionListResult, SessionListInput>;
/** What `useSessionList` answers. */
export type UseSessionListReturn = MutationReturn<SessionListResult, SessionListInput>;
/** Options of `useSessionUpdate`. */
export type UseSessionUpdateOptions<TData extends object = SessionData> = MutationOptions<SessionUpdateResult<TData>, SessionUpdateInput<TData>>;
/** What `useSessionUpdate` answers. */
export type UseSessionUpdateReturn<TData extends object = SessionData> = MutationReturn<SessionUpdateResult<TData>, SessionUpdateInput<TData>>;
/** Options of `useSessionUpdateAll`. */
export type UseSessionUpdateAllOptions<TData extends object = SessionData> = MutationOptions<SessionUpdateAllResult, SessionUpdateAllInput<TData>>;
/** What `useSessionUpdateAll` answers. */
export type UseSessionUpdateAllReturn<TData extends object = SessionData> = MutationReturn<SessionUpdateAllResult, SessionUpdateAllInput<TData>>;
/** Options of `useSessionReauthenticate`. */
export type UseSessionReauthenticateOptions<TData = SessionData> = MutationOptions<SessionReauthenticateResult<TData>, SessionReauthenticateInput>;
/** What `useSessionReauthenticate` answers. */
export type UseSessionReauthenticateReturn<TData = SessionData> = MutationReturn<SessionReauthenticateResult<TData>, SessionReauthenticateInput>;
/**
 * Starts a session: `mutate({ tag, data, identifier?, expiresIn?, device? })` →
 * `{ sessionId, token, refreshToken, expiresAt, refreshExpiresAt, tag, identifier, cookies? }`.
 * The new pair becomes the app's latest session of the tag (for `useSessionAutoRefresh`).
 */
export declare function useSessionStart<TData extends object = SessionData>(options?: UseSessionStartOptions<TData>): UseSessionStartReturn<TData>;
/**
 * Verifies a token: `mutate({ tag, token, maxAuthAge? })` →
 * `{ sessionId, tag, identifier, data: TData, issuedAt, expiresAt, authenticatedAt, amr, idleExpiresAt }`.
 * A `token_superseded` answer is told to the app's session memory, so a `useSessionAutoRefresh`
 * holding that token refreshes at once (the error is still this call's).
 */
export declare function useSessionVerify<TData = SessionData>(options?: UseSessionVerifyOptions<TData>): UseSessionVerifyReturn<TData>;
/**
 * Refreshes a session: `mutate({ tag, refreshToken })` → the same shape as start (a new token
 * and refresh token for the same `sessionId`). The new pair becomes the app's latest session of
 * the tag, so a running `useSessionAutoRefresh` of that session continues from it.
 */
export declare function useSessionRefresh(options?: UseSessionRefreshOptions): UseSessionRefreshReturn;
/** Revokes one session: `mutate({ tag, sessionId })` → `{ revoked }`. */
export declare function useSessionRevoke(options?: UseSessionRevokeOptions): UseSessionRevokeReturn;
/**
 * Revokes every session of a user: `mutate({ tag, identifier, excludeCurrentSession? })` →
 * `{ revokedCount }` (`excludeCurrentSession` is a sessionId to keep).
 */
export declare function useSessionRevokeAll(options?: UseSessionRevokeAllOptions): UseSessionRevokeAllReturn;
/**
 * Lists a user's active sessions: `mutate({ tag, identifier, limit?, cursor? })` →
 * `{ sessions, count, nextCursor? }` (newest first).
 */
export declare function useSessionList(options?: UseSessionListOptions): UseSessionListReturn;
/**
 * Changes a live session's data: `mutate({ tag, sessionId, data, merge? })` →
 * `{ sessionId, tag, identifier, data: TData, token, expiresAt, updatedAt }` (merge by default, a
 * `null` removes a key; `merge: false` replaces). Every older token of the session is refused
 * from then on (`token_superseded`). When it is the app's latest session of the tag, the new
 * token becomes its token, so `useSessionAutoRefresh`'s `currentToken` is the new one.
 */
export declare function useSessionUpdate<TData extends object = SessionData>(options?: UseSessionUpdateOptions<TData>): UseSessionUpdateReturn<TData>;
/**
 * Changes the data of every active session of a user: `mutate({ tag, identifier, data, merge? })`
 * → `{ updatedCount }`. Their tokens are superseded (no new token is answered): when the app's
 * latest session of the tag is one of them, a `useSessionAutoRefresh` holding it refreshes at once.
 */
export declare function useSessionUpdateAll<TData extends object = SessionData>(options?: UseSessionUpdateAllOptions<TData>): UseSessionUpdateAllReturn<TData>;
/**
 * Records that the user proved who they are again (step-up): `mutate({ tag, sessionId, amr? })`
 * → the same shape as `useSessionUpdate`'s, a token whose `authenticatedAt` is now. Older tokens
 * stay valid; when it is the app's latest session of the tag, the new token becomes its token.
 */
export declare function useSessionReauthenticate<TData = SessionData>(options?: UseSessionReauthenticateOptions<TData>): UseSessionReauthenticateReturn<TData>;
