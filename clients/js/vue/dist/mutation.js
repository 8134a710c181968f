// The `{ mutate, isLoading, data, error }` shape every session composable answers (as in
// `@ductape/vue`, docs/API.md §11.4).
import { HallpassError } from "@hallpass/client";
import { ErrorCodes, getCurrentInstance, handleError, ref, shallowRef } from "vue";
/** Anything thrown, as a `HallpassError` (the client throws nothing else; this keeps the type honest). */
export function toHallpassError(error) {
    if (HallpassError.is(error))
        return error;
    const message = error instanceof Error ? error.message : String(error);
    return new HallpassError("internal", 0, `unexpected error in @hallpass/vue: ${message}`, { cause: error });
}
/**
 * Calls a user callback so that its exception (or rejected promise) goes where a component's
 * event-handler error goes (`onErrorCaptured`, `app.config.errorHandler`, else the console)
 * instead of breaking the composable or the next callback.
 */
export function invokeCallback(instance, callback, ...args) {
    if (!callback)
        return;
    const report = (error) => handleError(error, instance, ErrorCodes.COMPONENT_EVENT_HANDLER, false);
    try {
        const returned = callback(...args);
        if (returned && typeof returned.then === "function") {
            Promise.resolve(returned).catch(report);
        }
    }
    catch (error) {
        report(error);
    }
}
/**
 * The state machine behind every session composable. `perform` calls the client; `settled`
 * runs on success before any callback (the plugin's session memory).
 *
 * State rules: a call sets `isLoading` and clears `error` (`data` keeps the previous result until
 * the call settles); success sets `data` and clears `error`; failure sets `error` and clears
 * `data`. When calls overlap, `data`/`error` follow the most recently started one, `isLoading`
 * stays true until all have settled, and each call still resolves and runs its own callbacks.
 */
export function useMutation(options, perform, settled) {
    const instance = getCurrentInstance();
    const isLoading = ref(false);
    const data = shallowRef(null);
    const error = shallowRef(null);
    let started = 0;
    let inFlight = 0;
    async function run(input, callbacks) {
        const call = ++started;
        inFlight++;
        isLoading.value = true;
        error.value = null;
        let result;
        try {
            result = await perform(input);
        }
        catch (thrown) {
            const failure = toHallpassError(thrown);
            inFlight--;
            if (call === started) {
                data.value = null;
                error.value = failure;
            }
            isLoading.value = inFlight > 0;
            invokeCallback(instance, options?.onError, failure, input);
            invokeCallback(instance, callbacks?.onError, failure, input);
            throw failure;
        }
        inFlight--;
        if (call === started) {
            data.value = result;
            error.value = null;
        }
        isLoading.value = inFlight > 0;
        settled?.(result, input);
        invokeCallback(instance, options?.onSuccess, result, input);
        invokeCallback(instance, callbacks?.onSuccess, result, input);
        return result;
    }
    return {
        mutate: (input, callbacks) => run(input, callbacks).catch(() => undefined),
        mutateAsync: (input, callbacks) => run(input, callbacks),
        isLoading,
        data,
        error,
        reset() {
            data.value = null;
            error.value = null;
        },
    };
}
//# sourceMappingURL=mutation.js.map