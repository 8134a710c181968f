// The session composables, as `@ductape/vue` names them (docs/API.md §11.4): useSessionStart,
// useSessionVerify, useSessionRefresh, useSessionRevoke, useSessionRevokeAll, useSessionList; and
// those of the session lifecycle, in the same shape: useSessionUpdate, useSessionUpdateAll,
// useSessionReauthenticate.
import {
  HallpassError,
  type SessionData,
  type SessionListInput,
  type SessionListResult,
  type SessionReauthenticateInput,
  type SessionReauthenticateResult,
  type SessionRefreshInput,
  type SessionRefreshResult,
  type SessionRevokeAllInput,
  type SessionRevokeAllResult,
  type SessionRevokeInput,
  type SessionRevokeResult,
  type SessionStartInput,
  type SessionStartResult,
  type SessionUpdateAllInput,
  type SessionUpdateAllResult,
  type SessionUpdateInput,
  type SessionUpdateResult,
  type SessionVerifyInput,
  type SessionVerifyResult,
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
export function useSessionStart<TData extends object = SessionData>(
  options?: UseSessionStartOptions<TData>,
): UseSessionStartReturn<TData> {
  const { client, sessions } = useSessionContext("useSessionStart");
  return useMutation(options, (input) => client.sessions.start<TData>(input), (result, input) => {
    sessions.record(result.tag || input.tag, result);
  });
}

/**
 * Verifies a token: `mutate({ tag, token, maxAuthAge? })` →
 * `{ sessionId, tag, identifier, data: TData, issuedAt, expiresAt, authenticatedAt, amr, idleExpiresAt }`.
 * A `token_superseded` answer is told to the app's session memory, so a `useSessionAutoRefresh`
 * holding that token refreshes at once (the error is still this call's).
 */
export function useSessionVerify<TData = SessionData>(options?: UseSessionVerifyOptions<TData>): UseSessionVerifyReturn<TData> {
  const { client, sessions } = useSessionContext("useSessionVerify");
  return useMutation(options, async (input) => {
    try {
      return await client.sessions.verify<TData>(input);
    } catch (error) {
      if (HallpassError.is(error) && error.code === "token_superseded" && typeof input.token === "string") {
        sessions.superseded(input.tag, input.token);
      }
      throw error;
    }
  });
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

/**
 * Changes a live session's data: `mutate({ tag, sessionId, data, merge? })` →
 * `{ sessionId, tag, identifier, data: TData, token, expiresAt, updatedAt }` (merge by default, a
 * `null` removes a key; `merge: false` replaces). Every older token of the session is refused
 * from then on (`token_superseded`). When it is the app's latest session of the tag, the new
 * token becomes its token, so `useSessionAutoRefresh`'s `currentToken` is the new one.
 */
export function useSessionUpdate<TData extends object = SessionData>(options?: UseSessionUpdateOptions<TData>): UseSessionUpdateReturn<TData> {
  const { client, sessions } = useSessionContext("useSessionUpdate");
  return useMutation(options, (input) => client.sessions.update<TData>(input), (result, input) => {
    sessions.retoken(result.tag || input.tag, result);
  });
}

/**
 * Changes the data of every active session of a user: `mutate({ tag, identifier, data, merge? })`
 * → `{ updatedCount }`. Their tokens are superseded (no new token is answered): when the app's
 * latest session of the tag is one of them, a `useSessionAutoRefresh` holding it refreshes at once.
 */
export function useSessionUpdateAll<TData extends object = SessionData>(options?: UseSessionUpdateAllOptions<TData>): UseSessionUpdateAllReturn<TData> {
  const { client, sessions } = useSessionContext("useSessionUpdateAll");
  return useMutation(options, (input) => client.sessions.updateAll<TData>(input), (result, input) => {
    const latest = sessions.latest(input.tag);
    if (latest && result.updatedCount > 0 && latest.identifier === input.identifier) sessions.superseded(input.tag, latest.token);
  });
}

/**
 * Records that the user proved who they are again (step-up): `mutate({ tag, sessionId, amr? })`
 * → the same shape as `useSessionUpdate`'s, a token whose `authenticatedAt` is now. Older tokens
 * stay valid; when it is the app's latest session of the tag, the new token becomes its token.
 */
export function useSessionReauthenticate<TData = SessionData>(options?: UseSessionReauthenticateOptions<TData>): UseSessionReauthenticateReturn<TData> {
  const { client, sessions } = useSessionContext("useSessionReauthenticate");
  return useMutation(options, (input) => client.sessions.reauthenticate<TData>(input), (result, input) => {
    sessions.retoken(result.tag || input.tag, result);
  });
}
