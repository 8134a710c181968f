// The `{ mutate, isLoading, data, error }` shape every session composable answers (as in
// `@ductape/vue`, docs/API.md §11.4).
import { HallpassError } from "@hallpass/client";
import { ErrorCodes, getCurrentInstance, handleError, ref, shallowRef, type ComponentInternalInstance, type Ref } from "vue";

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
export function toHallpassError(error: unknown): HallpassError {
  if (HallpassError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HallpassError("internal", 0, `unexpected error in @hallpass/vue: ${message}`, { cause: error });
}

/**
 * Calls a user callback so that its exception (or rejected promise) goes where a component's
 * event-handler error goes (`onErrorCaptured`, `app.config.errorHandler`, else the console)
 * instead of breaking the composable or the next callback.
 */
export function invokeCallback<A extends unknown[]>(
  instance: ComponentInternalInstance | null,
  callback: ((...args: A) => unknown) | undefined,
  ...args: A
): void {
  if (!callback) return;
  const report = (error: unknown) => handleError(error, instance, ErrorCodes.COMPONENT_EVENT_HANDLER, false);
  try {
    const returned = callback(...args);
    if (returned && typeof (returned as PromiseLike<unknown>).then === "function") {
      Promise.resolve(returned).catch(report);
    }
  } catch (error) {
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
export function useMutation<TResult, TInput>(
  options: MutationOptions<TResult, TInput> | undefined,
  perform: (input: TInput) => Promise<TResult>,
  settled?: (result: TResult, input: TInput) => void,
): MutationReturn<TResult, TInput> {
  const instance = getCurrentInstance();
  const isLoading = ref(false);
  const data = shallowRef<TResult | null>(null) as Ref<TResult | null>;
  const error = shallowRef<HallpassError | null>(null);
  let started = 0;
  let inFlight = 0;

  async function run(input: TInput, callbacks: MutationCallbacks<TResult, TInput> | undefined): Promise<TResult> {
    const call = ++started;
    inFlight++;
    isLoading.value = true;
    error.value = null;
    let result: TResult;
    try {
      result = await perform(input);
    } catch (thrown) {
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
