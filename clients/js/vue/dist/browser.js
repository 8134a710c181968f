// A frontend's own cookie session in Vue: the browser client of `@hallpass/client/browser`
// provided by a plugin, `useSession()` over its `$session` store, and the sign-out and device
// composables in the `{ mutate, isLoading, data, error }` shape of the others.
import { HallpassError } from "@hallpass/client";
import { createBrowserClient, } from "@hallpass/client/browser";
import { computed, getCurrentScope, inject, onScopeDispose, shallowRef } from "vue";
import { useMutation } from "./mutation.js";
/** The injection key under which `createHallpassBrowser` provides its client. */
export const HallpassBrowserKey = Symbol("hallpass-browser");
/**
 * Provides a browser client to the app: give it the client's options, or a client you made.
 *
 * ```ts
 * app.use(createHallpassBrowser({ product: "shop", env: "prd", tag: "user-session", session: { refetchInterval: 300 } }));
 * ```
 */
export function createHallpassBrowser(options) {
    const client = "$session" in options ? options : createBrowserClient(options);
    return {
        client,
        install(app) {
            app.provide(HallpassBrowserKey, client);
        },
    };
}
/** The given client, else the provided one; a clear error when there is neither. */
function browserClient(composable, given) {
    const client = given ?? inject(HallpassBrowserKey, undefined);
    if (!client) {
        throw new HallpassError("invalid_options", 0, `${composable} needs a browser client: app.use(createHallpassBrowser({ product, env, tag })), or pass the client to ${composable}(client)`);
    }
    return client;
}
/**
 * The browser's session, reactive: `{ data, isPending, isRefetching, error, refetch }`. It
 * listens to the client's `$session` while the component (or effect scope) lives.
 */
export function useSession(client) {
    const c = browserClient("useSession", client);
    // One ref holds the store's value; the answered refs are views of it.
    const state = shallowRef(c.$session.get());
    const unsubscribe = c.$session.subscribe((value) => {
        state.value = value;
    });
    if (getCurrentScope())
        onScopeDispose(unsubscribe);
    return {
        data: computed(() => state.value.data),
        isPending: computed(() => state.value.isPending),
        isRefetching: computed(() => state.value.isRefetching),
        error: computed(() => state.value.error),
        refetch: () => c.$session.get().refetch(),
    };
}
/** A browser call's `{ data, error }` as a mutation's result or thrown error. */
async function settled(result) {
    const { data, error } = await result;
    if (error)
        throw error;
    return data;
}
/** Signs this browser out: `mutate()` → `{ revoked }`; `useSession` then shows signed out, here and in other tabs. */
export function useSignOut(options, client) {
    const c = browserClient("useSignOut", client);
    return useMutation(options, () => settled(c.signOut()));
}
/** The user's devices: `mutate()` → `{ sessions, count }`, newest first, `current: true` on this browser. */
export function useBrowserSessions(options, client) {
    const c = browserClient("useBrowserSessions", client);
    return useMutation(options, () => settled(c.listSessions()));
}
/** Revokes one of the user's sessions: `mutate(sessionId)` → `{ revoked }`. */
export function useRevokeBrowserSession(options, client) {
    const c = browserClient("useRevokeBrowserSession", client);
    return useMutation(options, (sessionId) => settled(c.revokeSession(sessionId)));
}
//# sourceMappingURL=browser.js.map