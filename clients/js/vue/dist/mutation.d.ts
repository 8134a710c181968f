import { HallpassError } from "@hallpass/client";
import { type ComponentInternalInstance, type Ref } from "vue";
/** `onSuccess` / `onError` of a composable (hook level) or of one `mutate` call (per call). */
export interface MutationCallbacks<TResult, TInput> {
    /** Called with the result and the input after a call succeeded (after `data` is set). */
    onSuccess?: (result: TResult, input: TInput) => unknown;
    /** Called with the `HallpassError` and the input after a call failed (after `error` is set). */
    onError?: (error: HallpassError, input: TInput) => unknown;
}
/** Options of a session composable: hook-level callbacks, called before the per-call ones. */
export type MutationOptions<TResult, TInput> = MutationCallbacks<TResult, TInput>;
/** What every session composable answers. */
export interface MutationReturn<TResult, TInput> {
    /**
     * Calls hallpass with `input`. Never rejects: resolves to the result, or to `undefined` when the
     * call failed (then `error` holds the `HallpassError` and `onError` was called), so a caller
     * that ignores the promise (as `@ductape/vue`'s documented examples do) leaves no unhandled
     * rejection.
     */
    mutate: (input: TInput, callbacks?: MutationCallbacks<TResult, TInput>) => Promise<TResult | undefined>;
    /** Like `mutate`, but rejects with the `HallpassError` on failure (callbacks and state alike). */
    mutateAsync: (input: TInput, callbacks?: MutationCallbacks<TResult, TInput>) => Promise<TResult>;
    /** True while a call is in flight. */
    isLoading: Ref<boolean>;
    /** The result of the latest call; `null` before any, and after the latest one failed. */
    data: Ref<TResult | null>;
    /** The error of the latest call; `null` before any, while a call is in flight, and after a success. */
    error: Ref<HallpassError | null>;
    /** Clears `data` and `error` (a call in flight still settles into them). */
    reset: () => void;
}
/** Anything thrown, as a `HallpassError` (the client throws nothing else; this keeps the type honest). */
export declare function toHallpassError(error: unknown): HallpassError;
/**
 * Calls a user callback so that its exception (or rejected promise) goes where a component's
 * event-handler error goes (`onErrorCaptured`, `app.config.errorHandler`, else the console)
 * instead of breaking the composable or the next callback.
 */
export declare function invokeCallback<A extends unknown[]>(instance: ComponentInternalInstance | null, callback: ((...args: A) => unknown) | undefined, ...args: A): void;
/**
 * The state machine behind every session composable. `perform` calls the client; `settled`
 * runs on success before any callback (the plugin's session memory).
 *
 * State rules: a call sets `isLoading` and clears `error` (`data` keeps the previous result until
 * the call settles); success sets `data` and clears `error`; failure sets `error` and clears
 * `data`. When calls overlap, `data`/`error` follow the most recently started one, `isLoading`
 * stays true until all have settled, and each call still resolves and runs its own callbacks.
 */
export declare function useMutation<TResult, TInput>(options: MutationOptions<TResult, TInput> | undefined, perform: (input: TInput) => Promise<TResult>, settled?: (result: TResult, input: TInput) => void): MutationReturn<TResult, TInput>;
