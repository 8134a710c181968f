// useSessionAutoRefresh: refreshes a session's token `refreshBefore` seconds before it expires.
import { HallpassError, type SessionRefreshResult } from "@hallpass/client";
import { getCurrentInstance, getCurrentScope, onScopeDispose, ref, toValue, type MaybeRefOrGetter, type Ref } from "vue";
import { invokeCallback, toHallpassError } from "./mutation.js";
import { useSessionContext } from "./plugin.js";
import type { TrackedSession } from "./tracker.js";

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
export const DEFAULT_REFRESH_BEFORE = 60;

/** The largest delay setTimeout takes (about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** When `refreshBefore` is not shorter than a token's life, refreshes are at least this far apart. */
const MIN_INTERVAL_MS = 1_000;

/** What the auto-refresh holds: a tracked session, or only a refresh token from the options. */
type Holding = TrackedSession | { refreshToken: string; sessionId?: undefined };

/**
 * Keeps a session's token fresh: `start()` schedules a refresh `refreshBefore` seconds before
 * the token expires (right away when the expiry is unknown), and each success schedules the
 * next one. Stops on `stop()`, on a failed refresh (after which `onError` is called), and when
 * the component (effect scope) is unmounted. Throws `publishable_key_forbidden` during setup
 * with a publishable key.
 */
export function useSessionAutoRefresh(options: UseSessionAutoRefreshOptions): UseSessionAutoRefreshReturn {
  const { client, sessions } = useSessionContext("useSessionAutoRefresh");
  const instance = getCurrentInstance();
  const isActive = ref(false);
  const currentToken = ref<string | null>(null);

  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by start() and stop(): work of an older generation is dropped. */
  let generation = 0;
  let tag = "";
  let holding: Holding | undefined;

  const readRefreshToken = (): string => {
    const value = toValue(options.refreshToken);
    return typeof value === "string" ? value : "";
  };
  // The configured refresh token and the tracker's seq when it was first seen: a tracked
  // session with a higher seq was obtained after it, so it is newer.
  let seenToken = readRefreshToken();
  let seenSeq = sessions.seq;

  const refreshBeforeMs = (): number => {
    const seconds = Number(toValue(options.refreshBefore) ?? DEFAULT_REFRESH_BEFORE);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
  };

  /** When to refresh a session: refreshBefore ahead of its expiry (local clock). */
  const dueAt = (session: TrackedSession): number => {
    // An unreadable expiry (never from a hallpass server): retry in a minute, never in a loop.
    if (!Number.isFinite(session.expiresAtLocal)) return session.receivedAt + 60_000;
    const due = session.expiresAtLocal - refreshBeforeMs();
    if (due > session.receivedAt) return due;
    // refreshBefore is not shorter than the token's life: refresh halfway through it instead of
    // in a loop.
    return session.receivedAt + Math.max(MIN_INTERVAL_MS, (session.expiresAtLocal - session.receivedAt) / 2);
  };

  const clearTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  const arm = (due: number, gen: number) => {
    clearTimer();
    const delay = Math.max(0, due - Date.now());
    if (delay === 0) {
      // Already due (e.g. start() long after the pair was obtained): refresh now, as when the
      // expiry is unknown. No loop: a fresh pair is never due at once (see dueAt).
      void fire(gen);
      return;
    }
    timer = setTimeout(
      () => {
        timer = undefined;
        if (gen !== generation) return;
        if (delay > MAX_TIMEOUT_MS) arm(due, gen);
        else void fire(gen);
      },
      Math.min(delay, MAX_TIMEOUT_MS),
    );
  };

  const schedule = (session: TrackedSession, gen: number) => {
    arm(dueAt(session), gen);
  };

  const halt = () => {
    generation++;
    clearTimer();
    isActive.value = false;
  };

  /** Whether `latest` is a newer pair of the session held (refreshed elsewhere in the app). */
  const supersedes = (latest: TrackedSession, held: Holding): boolean => {
    if (latest === held) return false;
    if ("seq" in held && held.sessionId === latest.sessionId && latest.seq > held.seq) return true;
    return sessions.wasSpentBy(tag, held.refreshToken, latest.sessionId);
  };

  const fire = async (gen: number) => {
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

  const refreshNow = async (gen: number) => {
    if (!holding) return;
    const refreshToken = holding.refreshToken;
    const sentAt = sessions.seq;
    let result: SessionRefreshResult;
    try {
      result = await client.sessions.refresh({ tag, refreshToken });
    } catch (thrown) {
      if (gen !== generation) return;
      halt();
      invokeCallback(instance, options.onError, toHallpassError(thrown));
      return;
    }
    // Recorded even when stopped meanwhile: the old refresh token is spent, the new pair is the
    // session's only way on.
    const session = sessions.record(result.tag || tag, result, { spent: refreshToken, sentAt });
    if (gen !== generation) return;
    holding = session;
    currentToken.value = result.token;
    invokeCallback(instance, options.onRefresh, result);
    if (gen === generation) schedule(session, gen);
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
    const useKnown =
      known !== undefined &&
      (configured === "" ||
        configured === known.refreshToken ||
        sessions.wasSpentBy(tag, configured, known.sessionId) ||
        known.seq > seenSeq);
    if (known && useKnown) {
      holding = known;
      currentToken.value = known.token;
      isActive.value = true;
      schedule(known, gen);
    } else if (configured !== "") {
      // The token's expiry is unknown (e.g. tokens from localStorage at page load): refresh now.
      holding = { refreshToken: configured };
      isActive.value = true;
      void refreshNow(gen);
    } else {
      holding = undefined;
      invokeCallback(
        instance,
        options.onError,
        new HallpassError(
          "refresh_token_invalid",
          0,
          `useSessionAutoRefresh(): no refresh token for "${tag}": the refreshToken option is empty and this app has started or refreshed no session of that tag`,
        ),
      );
    }
  };

  const stop = () => {
    halt();
  };

  if (getCurrentScope()) onScopeDispose(stop);

  return { isActive, currentToken, start, stop };
}
