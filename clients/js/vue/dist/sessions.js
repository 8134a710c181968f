import { useMutation } from "./mutation.js";
import { useSessionContext } from "./plugin.js";
/**
 * Starts a session: `mutate({ tag, data, identifier?, expiresIn?, device? })` →
 * `{ sessionId, token, refreshToken, expiresAt, refreshExpiresAt, tag, identifier, cookies? }`.
 * The new pair becomes the app's latest session of the tag (for `useSessionAutoRefresh`).
 */
export function useSessionStart(options) {
    const { client, sessions } = useSessionContext("useSessionStart");
    return useMutation(options, (input) => client.sessions.start(input), (result, input) => {
        sessions.record(result.tag || input.tag, result);
    });
}
/**
 * Verifies a token: `mutate({ tag, token })` →
 * `{ sessionId, tag, identifier, data: TData, issuedAt, expiresAt }`.
 */
export function useSessionVerify(options) {
    const { client } = useSessionContext("useSessionVerify");
    return useMutation(options, (input) => client.sessions.verify(input));
}
/**
 * Refreshes a session: `mutate({ tag, refreshToken })` → the same shape as start (a new token
 * and refresh token for the same `sessionId`). The new pair becomes the app's latest session of
 * the tag, so a running `useSessionAutoRefresh` of that session continues from it.
 */
export function useSessionRefresh(options) {
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
export function useSessionRevoke(options) {
    const { client, sessions } = useSessionContext("useSessionRevoke");
    return useMutation(options, (input) => client.sessions.revoke(input), (_result, input) => {
        if (sessions.latest(input.tag)?.sessionId === input.sessionId)
            sessions.forget(input.tag);
    });
}
/**
 * Revokes every session of a user: `mutate({ tag, identifier, excludeCurrentSession? })` →
 * `{ revokedCount }` (`excludeCurrentSession` is a sessionId to keep).
 */
export function useSessionRevokeAll(options) {
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
export function useSessionList(options) {
    const { client } = useSessionContext("useSessionList");
    return useMutation(options, (input) => client.sessions.list(input));
}
//# sourceMappingURL=sessions.js.map