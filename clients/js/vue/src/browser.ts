// A frontend's own cookie session in Vue: the browser client of `@hallpass/client/browser`
// provided by a plugin, `useSession()` over its `$session` store, and the sign-out and device
// composables in the `{ mutate, isLoading, data, error }` shape of the others.
import { HallpassError } from "@hallpass/client";
import {
  createBrowserClient,
  type BrowserClient,
  type BrowserClientOptions,
  type BrowserResult,
  type BrowserSession,
  type BrowserSessionList,
  type BrowserSessionState,
} from "@hallpass/client/browser";
import type { SessionData } from "@hallpass/client";
import { computed, getCurrentScope, inject, onScopeDispose, shallowRef, type App, type DeepReadonly, type InjectionKey, type Ref } from "vue";
import { useMutation, type MutationOptions, type MutationReturn } from "./mutation.js";

/** The injection key under which `createHallpassBrowser` provides its client. */
export const HallpassBrowserKey: InjectionKey<BrowserClient> = Symbol("hallpass-browser");

/** The plugin `createHallpassBrowser` answers. */
export interface HallpassBrowserPlugin {
  install(app: App): void;
  /** The browser client it provides (also for code outside components). */
  readonly client: BrowserClient;
}

/**
 * Provides a browser client to the app: give it the client's options, or a client you made.
 *
 * ```ts
 * app.use(createHallpassBrowser({ product: "shop", env: "prd", tag: "user-session", session: { refetchInterval: 300 } }));
 * ```
 */
export function createHallpassBrowser(options: BrowserClientOptions | BrowserClient): HallpassBrowserPlugin {
  const client = "$session" in options ? options : createBrowserClient(options);
  return {
    client,
    install(app: App) {
      app.provide(HallpassBrowserKey, client);
    },
  };
}

/** The given client, else the provided one; a clear error when there is neither. */
function browserClient(composable: string, given?: BrowserClient): BrowserClient {
  const client = given ?? inject(HallpassBrowserKey, undefined);
  if (!client) {
    throw new HallpassError(
      "invalid_options",
      0,
      `${composable} needs a browser client: app.use(createHallpassBrowser({ product, env, tag })), or pass the client to ${composable}(client)`,
    );
  }
  return client;
}

/** What `useSession` answers: the `$session` store as refs. */
export interface UseSessionReturn<TData = SessionData> {
  /** The session and its data, or `null` when signed out (or not known yet). */
  data: Readonly<Ref<DeepReadonly<BrowserSession<TData>> | null>>;
  /** True until the first fetch has settled. */
  isPending: Readonly<Ref<boolean>>;
  /** True while a later refetch is in flight. */
  isRefetching: Readonly<Ref<boolean>>;
  /** The error of the latest fetch (network, server), `null` otherwise; signed out is not an error. */
  error: Readonly<Ref<HallpassError | null>>;
  /** Fetches the session again now. */
  refetch: () => Promise<void>;
}

/**
 * The browser's session, reactive: `{ data, isPending, isRefetching, error, refetch }`. It
 * listens to the client's `$session` while the component (or effect scope) lives.
 */
export function useSession<TData = SessionData>(client?: BrowserClient<TData>): UseSessionReturn<TData> {
  const c = browserClient("useSession", client as BrowserClient | undefined) as BrowserClient<TData>;
  // One ref holds the store's value; the answered refs are views of it.
  const state = shallowRef<BrowserSessionState<TData>>(c.$session.get());
  const unsubscribe = c.$session.subscribe((value) => {
    state.value = value;
  });
  if (getCurrentScope()) onScopeDispose(unsubscribe);
  return {
    data: computed(() => state.value.data) as UseSessionReturn<TData>["data"],
    isPending: computed(() => state.value.isPending),
    isRefetching: computed(() => state.value.isRefetching),
    error: computed(() => state.value.error),
    refetch: () => c.$session.get().refetch(),
  };
}

/** A browser call's `{ data, error }` as a mutation's result or thrown error. */
async function settled<T>(result: Promise<BrowserResult<T>>): Promise<T> {
  const { data, error } = await result;
  if (error) throw error;
  return data as T;
}

export type UseSignOutOptions = MutationOptions<{ revoked: boolean }, void>;
export type UseSignOutReturn = MutationReturn<{ revoked: boolean }, void>;

/** Signs this browser out: `mutate()` → `{ revoked }`; `useSession` then shows signed out, here and in other tabs. */
export function useSignOut(options?: UseSignOutOptions, client?: BrowserClient): UseSignOutReturn {
  const c = browserClient("useSignOut", client);
  return useMutation(options, () => settled(c.signOut()));
}

export type UseBrowserSessionsOptions = MutationOptions<BrowserSessionList, void>;
export type UseBrowserSessionsReturn = MutationReturn<BrowserSessionList, void>;

/** The user's devices: `mutate()` → `{ sessions, count }`, newest first, `current: true` on this browser. */
export function useBrowserSessions(options?: UseBrowserSessionsOptions, client?: BrowserClient): UseBrowserSessionsReturn {
  const c = browserClient("useBrowserSessions", client);
  return useMutation(options, () => settled(c.listSessions()));
}

export type UseRevokeBrowserSessionOptions = MutationOptions<{ revoked: boolean }, string>;
export type UseRevokeBrowserSessionReturn = MutationReturn<{ revoked: boolean }, string>;

/** Revokes one of the user's sessions: `mutate(sessionId)` → `{ revoked }`. */
export function useRevokeBrowserSession(options?: UseRevokeBrowserSessionOptions, client?: BrowserClient): UseRevokeBrowserSessionReturn {
  const c = browserClient("useRevokeBrowserSession", client);
  return useMutation(options, (sessionId) => settled(c.revokeSession(sessionId)));
}
