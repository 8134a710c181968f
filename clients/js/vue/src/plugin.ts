// The plugin that supplies the client: `app.use(createHallpass({ url, accessKey }))`, then
// `useHallpass()` (and every composable) in the app's components.
import { Hallpass, HallpassError, type HallpassOptions } from "@hallpass/client";
import { hasInjectionContext, inject, type App, type InjectionKey } from "vue";
import { SessionTracker } from "./tracker.js";

/** What the plugin provides: the client, whether its key is publishable, and the app's sessions. */
export interface HallpassContext {
  /** The client every composable calls. */
  readonly client: Hallpass;
  /** True when the client has a publishable key: then every session composable throws. */
  readonly publishable: boolean;
  /** The latest session of each tag obtained in this app (start, refresh and auto-refresh successes). */
  readonly sessions: SessionTracker;
}

/** The plugin `createHallpass` answers; `client` is the client it installs. */
export interface HallpassPlugin {
  install(app: App): void;
  /** The client the plugin provides (also for code outside components). */
  readonly client: Hallpass;
  /** What the plugin provides, for advanced uses (`app.runWithContext`, tests). */
  readonly context: HallpassContext;
}

/** The injection key under which the plugin provides its {@link HallpassContext}. */
export const HallpassKey: InjectionKey<HallpassContext> = Symbol("hallpass");

/** A client (also one from another copy of @hallpass/client), not options. */
function isClient(value: HallpassOptions | Hallpass): value is Hallpass {
  if (value instanceof Hallpass) return true;
  const sessions = (value as { sessions?: { start?: unknown } }).sessions;
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
export function createHallpass(options: HallpassOptions | Hallpass): HallpassPlugin {
  const given = isClient(options);
  const client = given ? options : new Hallpass(options);
  const context: HallpassContext = {
    client,
    publishable: client.usesPublishableKey === true,
    sessions: new SessionTracker(),
  };
  return {
    client,
    context,
    install(app: App) {
      app.provide(HallpassKey, context);
      // Keep the app's sessions in step with refreshes the client tells of (another tab's
      // refresh of a refresh token this app holds). A client from an older copy may lack it.
      const onRefreshed = (client.sessions as Partial<Hallpass["sessions"]>).onRefreshed;
      const unsubscribe = typeof onRefreshed === "function" ? onRefreshed((event) => void context.sessions.adopt(event)) : undefined;
      onAppUnmount(app, () => {
        unsubscribe?.();
        // The plugin built this client: nothing else will close its channel.
        if (!given) client.close();
      });
    },
  };
}

/** Runs `cleanup` when the app is unmounted (`app.onUnmount` from Vue 3.5, else by wrapping `app.unmount`). */
function onAppUnmount(app: App, cleanup: () => void): void {
  const withHook = app as App & { onUnmount?: (cleanup: () => void) => void };
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
export function useHallpassContext(caller = "useHallpass"): HallpassContext {
  if (!hasInjectionContext()) {
    throw new Error(
      `${caller}() must be called inside a component's setup() (or app.runWithContext()) of an app that installed the hallpass plugin: app.use(createHallpass({ url, accessKey }))`,
    );
  }
  const context = inject(HallpassKey, null);
  if (!context) {
    throw new Error(
      `${caller}() found no hallpass client: install the plugin first with app.use(createHallpass({ url, accessKey })) from @hallpass/vue`,
    );
  }
  return context;
}

/** The hallpass client the plugin provides; throws when no plugin is installed. */
export function useHallpass(): Hallpass {
  return useHallpassContext("useHallpass").client;
}

/**
 * The context for a session composable: throws `HallpassError` `publishable_key_forbidden`
 * (during setup) when the client has a publishable key, as `@ductape/vue`'s do.
 */
export function useSessionContext(caller: string): HallpassContext {
  const context = useHallpassContext(caller);
  if (context.publishable) {
    throw new HallpassError(
      "publishable_key_forbidden",
      403,
      `${caller}() is not available with a publishable key (hp_pk_…): sessions are started and managed on your backend with an access key (hp_sk_…); the backend hands the session token to the frontend`,
    );
  }
  return context;
}
