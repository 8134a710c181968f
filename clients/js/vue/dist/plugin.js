// The plugin that supplies the client: `app.use(createHallpass({ url, accessKey }))`, then
// `useHallpass()` (and every composable) in the app's components.
import { Hallpass, HallpassError } from "@hallpass/client";
import { hasInjectionContext, inject } from "vue";
import { SessionTracker } from "./tracker.js";
/** The injection key under which the plugin provides its {@link HallpassContext}. */
export const HallpassKey = Symbol("hallpass");
/** A client (also one from another copy of @hallpass/client), not options. */
function isClient(value) {
    if (value instanceof Hallpass)
        return true;
    const sessions = value.sessions;
    return typeof sessions === "object" && sessions !== null && typeof sessions.start === "function";
}
/**
 * The Vue plugin that provides a hallpass client to the app: give it the client's options (it
 * builds the client, and closes it when the app is unmounted) or a client you built (left open).
 *
 * ```ts
 * app.use(createHallpass({ url: "https://sessions.example.com", accessKey: process.env.HALLPASS_KEY! }));
 * ```
 */
export function createHallpass(options) {
    const given = isClient(options);
    const client = given ? options : new Hallpass(options);
    const context = {
        client,
        publishable: client.usesPublishableKey === true,
        sessions: new SessionTracker(),
    };
    return {
        client,
        context,
        install(app) {
            app.provide(HallpassKey, context);
            // Keep the app's sessions in step with refreshes the client tells of (another tab's
            // refresh of a refresh token this app holds). A client from an older copy may lack it.
            const onRefreshed = client.sessions.onRefreshed;
            const unsubscribe = typeof onRefreshed === "function" ? onRefreshed((event) => void context.sessions.adopt(event)) : undefined;
            onAppUnmount(app, () => {
                unsubscribe?.();
                // The plugin built this client: nothing else will close its channel.
                if (!given)
                    client.close();
            });
        },
    };
}
/** Runs `cleanup` when the app is unmounted (`app.onUnmount` from Vue 3.5, else by wrapping `app.unmount`). */
function onAppUnmount(app, cleanup) {
    const withHook = app;
    if (typeof withHook.onUnmount === "function") {
        withHook.onUnmount(cleanup);
        return;
    }
    const unmount = app.unmount.bind(app);
    app.unmount = () => {
        unmount();
        cleanup();
    };
}
/** The plugin's context; throws a clear Error when the plugin is not installed. */
export function useHallpassContext(caller = "useHallpass") {
    if (!hasInjectionContext()) {
        throw new Error(`${caller}() must be called inside a component's setup() (or app.runWithContext()) of an app that installed the hallpass plugin: app.use(createHallpass({ url, accessKey }))`);
    }
    const context = inject(HallpassKey, null);
    if (!context) {
        throw new Error(`${caller}() found no hallpass client: install the plugin first with app.use(createHallpass({ url, accessKey })) from @hallpass/vue`);
    }
    return context;
}
/** The hallpass client the plugin provides; throws when no plugin is installed. */
export function useHallpass() {
    return useHallpassContext("useHallpass").client;
}
/**
 * The context for a session composable: throws `HallpassError` `publishable_key_forbidden`
 * (during setup) when the client has a publishable key, as `@ductape/vue`'s do.
 */
export function useSessionContext(caller) {
    const context = useHallpassContext(caller);
    if (context.publishable) {
        throw new HallpassError("publishable_key_forbidden", 403, `${caller}() is not available with a publishable key (hp_pk_…): sessions are started and managed on your backend with an access key (hp_sk_…); the backend hands the session token to the frontend`);
    }
    return context;
}
//# sourceMappingURL=plugin.js.map