// The session composables, as `@ductape/vue` names them (docs/API.md §11.4): useSessionStart,
// useSessionVerify, useSessionRefresh, useSessionRevoke, useSessionRevokeAll, useSessionList.
import type {
  SessionData,
  SessionListInput,
  SessionListResult,
  SessionRefreshInput,
  SessionRefreshResult,
  SessionRevokeAllInput,
  SessionRevokeAllResult,
  SessionRevokeInput,
  SessionRevokeResult,
  SessionStartInput,
  SessionStartResult,
  SessionVerifyInput,
  SessionVerifyResult,
} from "@hallpass/client";
import { useMutation, type MutationOptions, type MutationReturn } from "./mutation.js";
import { useSessionContext } from "./plugin.js";

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
export function useSessionStart<TData extends object = SessionData>(
  options?: UseSessionStartOptions<TData>,
): UseSessionStartReturn<TData> {
  const { client, sessions } = useSessionContext("useSessionStart");
  return useMutation(options, (input) => client.sessions.start<TData>(input), (result, input) => {
    sessions.record(result.tag || input.tag, result);
  });
}

/**
 * Verifies a token: `mutate({ tag, token })` →
 * `{ sessionId, tag, identifier, data: TData, issuedAt, expiresAt }`.
 */
export function useSessionVerify<TData = SessionData>(options?: UseSessionVerifyOptions<TData>): UseSessionVerifyReturn<TData> {
  const { client } = useSessionContext("useSessionVerify");
  return useMutation(options, (input) => client.sessions.verify<TData>(input));
}

/**
 * Refreshes a session: `mutate({ tag, refreshToken })` → the same shape as start (a new token
 * and refresh token for the same `sessionId`). The new pair becomes the app's latest session of
 * the tag, so a running `useSessionAutoRefresh` of that session continues from it.
 */
export function useSessionRefresh(options?: UseSessionRefreshOptions): UseSessionRefreshReturn {
  const { client, sessions } = useSessionContext("useSessionRefresh");
  return useMutation(options, async (input) => {
    const sentAt = sessions.seq;
    const result = await client.sessions.refresh(input);
    // A refresh that succeeded was given a refresh token (the type also allows null: 422).
    sessions.record(result.tag || input.tag, result, { spent: String(input.refreshToken), sentAt });
    return result;
  });
}

/** Revokes one session: `mutate({ tag, sessionId })` → `{ revoked }`. */
export function useSessionRevoke(options?: UseSessionRevokeOptions): UseSessionRevokeReturn {
  const { client, sessions } = useSessionContext("useSessionRevoke");
  return useMutation(options, (input) => client.sessions.revoke(input), (_result, input) => {
    if (sessions.latest(input.tag)?.sessionId === input.sessionId) sessions.forget(input.tag);
  });
}

/**
 * Revokes every session of a user: `mutate({ tag, identifier, excludeCurrentSession? })` →
 * `{ revokedCount }` (`excludeCurrentSession` is a sessionId to keep).
 */
export function useSessionRevokeAll(options?: UseSessionRevokeAllOptions): UseSessionRevokeAllReturn {
  const { client, sessions } = useSessionContext("useSessionRevokeAll");
  return useMutation(options, (input) => client.sessions.revokeAll(input), (_result, input) => {
    const latest = sessions.latest(input.tag);
    if (latest && latest.identifier === input.identifier && latest.sessionId !== input.excludeCurrentSession) {
      sessions.forget(input.tag);
    }
  });
}

/**
 * Lists a user's active sessions: `mutate({ tag, identifier, limit?, cursor? })` →
 * `{ sessions, count, nextCursor? }` (newest first).
 */
export function useSessionList(options?: UseSessionListOptions): UseSessionListReturn {
  const { client } = useSessionContext("useSessionList");
  return useMutation(options, (input) => client.sessions.list(input));
}
