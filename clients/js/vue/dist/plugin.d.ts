import { Hallpass, type HallpassOptions } from "@hallpass/client";
import { type App, type InjectionKey } from "vue";
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
export declare const HallpassKey: InjectionKey<HallpassContext>;
/**
 * The Vue plugin that provides a hallpass client to the app: give it the client's options (it
 * builds the client, and closes it when the app is unmounted) or a client you built (left open).
 *
 * ```ts
 * app.use(createHallpass({ url: "https://sessions.example.com", accessKey: process.env.HALLPASS_KEY! }));
 * ```
 */
export declare function createHallpass(options: HallpassOptions | Hallpass): HallpassPlugin;
/** The plugin's context; throws a clear Error when the plugin is not installed. */
export declare function useHallpassContext(caller?: string): HallpassContext;
/** The hallpass client the plugin provides; throws when no plugin is installed. */
export declare function useHallpass(): Hallpass;
/**
 * The context for a session composable: throws `HallpassError` `publishable_key_forbidden`
 * (during setup) when the client has a publishable key, as `@ductape/vue`'s do.
 */
export declare function useSessionContext(caller: string): HallpassContext;
