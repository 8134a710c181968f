import { HallpassError } from "@hallpass/client";
import { type BrowserClient, type BrowserClientOptions, type BrowserSession, type BrowserSessionList } from "@hallpass/client/browser";
import type { SessionData } from "@hallpass/client";
import { type App, type DeepReadonly, type InjectionKey, type Ref } from "vue";
import { type MutationOptions, type MutationReturn } from "./mutation.js";
/** The injection key under which `createHallpassBrowser` provides its client. */
export declare const HallpassBrowserKey: InjectionKey<BrowserClient>;
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
export declare function createHallpassBrowser(options: BrowserClientOptions | BrowserClient): HallpassBrowserPlugin;
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
export declare function useSession<TData = SessionData>(client?: BrowserClient<TData>): UseSessionReturn<TData>;
export type UseSignOutOptions = MutationOptions<{
    revoked: boolean;
}, void>;
export type UseSignOutReturn = MutationReturn<{
    revoked: boolean;
}, void>;
/** Signs this browser out: `mutate()` → `{ revoked }`; `useSession` then shows signed out, here and in other tabs. */
export declare function useSignOut(options?: UseSignOutOptions, client?: BrowserClient): UseSignOutReturn;
export type UseBrowserSessionsOptions = MutationOptions<BrowserSessionList, void>;
export type UseBrowserSessionsReturn = MutationReturn<BrowserSessionList, void>;
/** The user's devices: `mutate()` → `{ sessions, count }`, newest first, `current: true` on this browser. */
export declare function useBrowserSessions(options?: UseBrowserSessionsOptions, client?: BrowserClient): UseBrowserSessionsReturn;
export type UseRevokeBrowserSessionOptions = MutationOptions<{
    revoked: boolean;
}, string>;
export type UseRevokeBrowserSessionReturn = MutationReturn<{
    revoked: boolean;
}, string>;
/** Revokes one of the user's sessions: `mutate(sessionId)` → `{ revoked }`. */
export declare function useRevokeBrowserSession(options?: UseRevokeBrowserSessionOptions, client?: BrowserClient): UseRevokeBrowserSessionReturn;
