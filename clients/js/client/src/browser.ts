// @hallpass/client/browser: a frontend's own cookie session (docs/API.md §8). The browser holds
// its tokens in httpOnly cookies set by the app's backend; this client only calls the browser
// routes with those cookies (`credentials: "include"`), so no token is ever readable by script.
import { atom, onMount, type ReadableAtom } from "nanostores";
import { HallpassError } from "./errors.js";
import { Transport, type FetchLike } from "./transport.js";
import type { Schemas, SessionData } from "./types.js";

/** Options of {@link createBrowserClient}. */
export interface BrowserClientOptions {
  /**
   * Where the browser routes are served. Default `""`: the page's own origin, where the app's
   * proxy forwards `/v1/browser/…` to hallpass so that the browser sends its cookies.
   */
  baseURL?: string;
  /** The product, env and session type whose cookie session this is. */
  product: string;
  env: string;
  tag: string;
  /** How `$session` stays current. */
  session?: {
    /** Refetch every this many seconds while `$session` has listeners. Default 0: never. */
    refetchInterval?: number;
    /** Refetch when the tab becomes visible or gets focus again. Default true. */
    refetchOnWindowFocus?: boolean;
  };
  /**
   * Tell the other tabs of this origin of a sign-out or revocation, through a BroadcastChannel
   * of this name (default `hallpass:<product>/<env>/<tag>`); `false` turns it off.
   */
  broadcast?: string | false;
  /** The `fetch` to use; default the global one. */
  fetch?: FetchLike;
  /** Abort a call that has not answered after this many milliseconds (code `timeout`). Default 30000. */
  timeoutMs?: number;
}

/** The session a browser's cookie names: `sessionId`, `tag`, `identifier`, `createdAt`, `expiresAt`. */
export type BrowserSessionInfo = Schemas["BrowserSessionInfo"];

/**
 * A signed-in browser's session and its data (what `GET session` answers), and the data again
 * as `user`: the name frontends written for Nevr's or better-auth's client read (`session.data.user.name`), for session data
 * that describes the user, as it usually does.
 */
export interface BrowserSession<TData = SessionData> {
  session: BrowserSessionInfo;
  data: TData;
  user: TData;
}

/** One of the user's sessions, with `current: true` on this browser's own. */
export type BrowserSessionItem = Schemas["BrowserSessionItem"];

/** The user's active sessions of this type, newest first, and how many there are. */
export type BrowserSessionList = Schemas["BrowserSessionsResponse"];

/** What `refresh` answers: the session and when it ends unless refreshed again. */
export type BrowserRefreshResult = Schemas["BrowserRefreshResponse"];

/**
 * What every method answers (it never throws): `data`, or `error` when the call failed. Being
 * signed out is not an error: `getSession` then answers `{ data: null, error: null }`.
 */
export interface BrowserResult<T> {
  data: T | null;
  error: HallpassError | null;
}

/** The value of `$session`. */
export interface BrowserSessionState<TData = SessionData> {
  /** The session, or `null` when signed out (or not known yet). */
  data: BrowserSession<TData> | null;
  /** The error of the latest fetch (network, server); `null` when it succeeded or found no session. */
  error: HallpassError | null;
  /** True until the first fetch has settled. */
  isPending: boolean;
  /** True while a refetch is in flight (after the first). */
  isRefetching: boolean;
  /** Fetches the session again now. */
  refetch: () => Promise<void>;
}

/** The browser client: the methods, and `$session`, a nanostores store of the session. */
export interface BrowserClient<TData = SessionData> {
  /** The session of this browser, refreshing once through the refresh cookie when the token cookie is gone or expired. */
  getSession(): Promise<BrowserResult<BrowserSession<TData>>>;
  /**
   * The session as a store (nanostores `ReadableAtom`): read it with `useStore(client.$session)`
   * of `@nanostores/react`, `/vue`, `/preact`, `/solid`, or Svelte's `$`. Fetched when its first
   * listener subscribes, then per `session.refetchInterval`, on focus, and after a sign-out or
   * revocation in this or another tab.
   */
  readonly $session: ReadableAtom<BrowserSessionState<TData>>;
  /** Rotates the refresh cookie for a new pair of cookies. */
  refresh(): Promise<BrowserResult<BrowserRefreshResult>>;
  /** Revokes this browser's session and clears its cookies; `$session` becomes signed out here and in other tabs. */
  signOut(): Promise<BrowserResult<{ revoked: boolean }>>;
  /** The user's active sessions of this type (devices), the current one marked. */
  listSessions(): Promise<BrowserResult<BrowserSessionList>>;
  /** Revokes one of the user's sessions (another device, or this one, which signs out). */
  revokeSession(sessionId: string): Promise<BrowserResult<{ revoked: boolean }>>;
  /** The same methods under the names Nevr's and better-auth's clients call them by: `client.auth.getSession()`, `client.auth.signOut()`. */
  readonly auth: BrowserAuth<TData>;
}

/** The methods of a {@link BrowserClient}, as `client.auth`. */
export type BrowserAuth<TData = SessionData> = Pick<BrowserClient<TData>, "getSession" | "refresh" | "signOut" | "listSessions" | "revokeSession">;

/** The message tabs send each other: something ended a session, refetch. */
interface BrowserMessage {
  type: "session-ended";
  sessionId?: string;
}

/** The header the browser routes require on a state change (docs/API.md §8.5). */
const CSRF_HEADER = { "X-Hallpass-CSRF": "1" };

/** Codes after which the refresh cookie may still bring the session back. */
const REFRESHABLE = new Set(["unauthorized", "token_expired"]);

/**
 * A client of one session type's browser routes. No key: the cookies authenticate.
 *
 * ```ts
 * const client = createBrowserClient({ product: "shop", env: "prd", tag: "user-session" });
 * const { data } = await client.getSession();
 * ```
 */
export function createBrowserClient<TData = SessionData>(options: BrowserClientOptions): BrowserClient<TData> {
  for (const field of ["product", "env", "tag"] as const) {
    if (typeof options[field] !== "string" || !options[field]) {
      throw new HallpassError("invalid_options", 0, `createBrowserClient needs ${field} (the session type's ${field}): got ${String(options[field])}`);
    }
  }
  const fetchFn = options.fetch ?? (typeof fetch === "function" ? fetch.bind(globalThis) : undefined);
  if (!fetchFn) throw new HallpassError("invalid_options", 0, "no fetch: pass options.fetch (this runtime has no global fetch)");
  const transport = new Transport({
    baseUrl: (options.baseURL ?? "").replace(/\/+$/, ""),
    fetch: fetchFn,
    timeoutMs: options.timeoutMs ?? 30_000,
    credentials: "include",
  });
  const base = `/v1/browser/${encodeURIComponent(options.product)}/${encodeURIComponent(options.env)}/${encodeURIComponent(options.tag)}`;
  const refetchInterval = Math.max(0, options.session?.refetchInterval ?? 0);
  const refetchOnFocus = options.session?.refetchOnWindowFocus ?? true;
  const channelName = options.broadcast === false ? undefined : (options.broadcast ?? `hallpass:${options.product}/${options.env}/${options.tag}`);

  async function call<T>(method: string, path: string): Promise<BrowserResult<T>> {
    try {
      const headers = method === "GET" ? undefined : CSRF_HEADER;
      return { data: await transport.send<T>(method, base + path, headers ? { headers } : {}), error: null };
    } catch (error) {
      return { data: null, error: asError(error) };
    }
  }

  // One refresh at a time in this tab: two reads that find the token gone share it.
  let refreshing: Promise<BrowserResult<BrowserRefreshResult>> | undefined;
  function refresh(): Promise<BrowserResult<BrowserRefreshResult>> {
    refreshing ??= call<BrowserRefreshResult>("POST", "/refresh").finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function readSession(): Promise<BrowserResult<BrowserSession<TData>>> {
    const read = await call<Omit<BrowserSession<TData>, "user">>("GET", "/session");
    return read.data ? { data: { ...read.data, user: read.data.data }, error: null } : { data: null, error: read.error };
  }

  async function getSession(): Promise<BrowserResult<BrowserSession<TData>>> {
    const first = await readSession();
    if (!first.error) return first;
    if (!REFRESHABLE.has(first.error.code)) return signedOutOr(first);
    const renewed = await refresh();
    if (renewed.error) return signedOutOr<BrowserSession<TData>>({ data: null, error: renewed.error });
    return signedOutOr(await readSession());
  }

  const $session = atom<BrowserSessionState<TData>>({
    data: null,
    error: null,
    isPending: true,
    isRefetching: false,
    refetch: () => refetch(),
  });

  let fetching: Promise<void> | undefined;
  function refetch(): Promise<void> {
    fetching ??= (async () => {
      const before = $session.get();
      if (!before.isPending) $session.set({ ...before, isRefetching: true });
      const result = await getSession();
      const now = $session.get();
      // A failed fetch (network, 5xx) keeps the session it knew: the cookies are still there.
      const data = result.error ? now.data : result.data;
      $session.set({ ...now, data, error: result.error, isPending: false, isRefetching: false });
    })().finally(() => {
      fetching = undefined;
    });
    return fetching;
  }

  // Channels are opened only while needed: an open one keeps a Node process (SSR, tests) alive.
  const openChannel = () => (channelName && typeof BroadcastChannel === "function" ? new BroadcastChannel(channelName) : undefined);
  function ended(sessionId: string | undefined): void {
    const message: BrowserMessage = { type: "session-ended", ...(sessionId ? { sessionId } : {}) };
    const channel = openChannel();
    channel?.postMessage(message);
    channel?.close();
  }
  function signedOutHere(): void {
    $session.set({ ...$session.get(), data: null, error: null, isPending: false });
  }

  onMount($session, () => {
    void refetch();
    const stops: Array<() => void> = [];
    if (refetchInterval > 0) {
      const timer = setInterval(() => void refetch(), refetchInterval * 1000);
      stops.push(() => clearInterval(timer));
    }
    if (refetchOnFocus && typeof window !== "undefined" && typeof document !== "undefined") {
      const onVisible = () => {
        if (document.visibilityState !== "hidden") void refetch();
      };
      window.addEventListener("focus", onVisible);
      document.addEventListener("visibilitychange", onVisible);
      stops.push(() => {
        window.removeEventListener("focus", onVisible);
        document.removeEventListener("visibilitychange", onVisible);
      });
    }
    const channel = openChannel();
    if (channel) {
      channel.addEventListener("message", (event: MessageEvent<BrowserMessage>) => {
        if (event.data?.type === "session-ended") void refetch();
      });
      stops.push(() => channel.close());
    }
    return () => {
      for (const stop of stops) stop();
    };
  });

  const methods: BrowserAuth<TData> = {
    getSession,
    refresh,
    async signOut() {
      const sessionId = $session.get().data?.session.sessionId;
      const result = await call<{ revoked: boolean }>("POST", "/sign-out");
      if (!result.error) {
        signedOutHere();
        ended(sessionId);
      }
      return result;
    },
    listSessions: () => call<BrowserSessionList>("GET", "/sessions"),
    async revokeSession(sessionId: string) {
      const result = await call<{ revoked: boolean }>("DELETE", `/sessions/${encodeURIComponent(sessionId)}`);
      if (!result.error) {
        if ($session.get().data?.session.sessionId === sessionId) signedOutHere();
        ended(sessionId);
      }
      return result;
    },
  };
  return { ...methods, $session, auth: methods };
}

/** A 401 (no session, or one that ended) is being signed out, not an error. */
function signedOutOr<T>(result: BrowserResult<T>): BrowserResult<T> {
  return result.error?.status === 401 ? { data: null, error: null } : result;
}

function asError(error: unknown): HallpassError {
  if (HallpassError.is(error)) return error;
  return new HallpassError("network_error", 0, error instanceof Error ? error.message : String(error), { cause: error });
}
