import type { SessionData, SessionListInput, SessionListResult, SessionRefreshInput, SessionRefreshResult, SessionRevokeAllInput, SessionRevokeAllResult, SessionRevokeInput, SessionRevokeResult, SessionStartInput, SessionStartResult, SessionVerifyInput, SessionVerifyResult } from "@hallpass/client";
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
/**
 * Starts a session: `mutate({ tag, data, identifier?, expiresIn?, device? })` →
 * `{ sessionId, token, refreshToken, expiresAt, refreshExpiresAt, tag, identifier, cookies? }`.
 * The new pair becomes the app's latest session of the tag (for `useSessionAutoRefresh`).
 */
export declare function useSessionStart<TData extends object = SessionData>(options?: UseSessionStartOptions<TData>): UseSessionStartReturn<TData>;
/**
 * Verifies a token: `mutate({ tag, token })` →
 * `{ sessionId, tag, identifier, data: TData, issuedAt, expiresAt }`.
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
