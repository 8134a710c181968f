// One HTTP call to hallpass: the key, JSON in and out, the timeout, and every failure mapped to
// a HallpassError.
import { HallpassError } from "./errors.js";

/** The `fetch` the client calls; the global `fetch` of Node 18+ and browsers fits. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A query string's values; `undefined` and `null` ones are left out. */
export type Query = Record<string, string | number | boolean | null | undefined>;

export interface TransportOptions {
  baseUrl: string;
  /** The API key sent as `Authorization: Bearer`; none for the browser routes (cookies only). */
  key?: string;
  fetch: FetchLike;
  timeoutMs: number;
  /** `fetch`'s `credentials`: `"include"` for the browser routes, whose cookies authenticate. */
  credentials?: RequestCredentials;
}

export class Transport {
  readonly #baseUrl: string;
  readonly #key: string | undefined;
  readonly #fetch: FetchLike;
  readonly #credentials: RequestCredentials | undefined;
  readonly timeoutMs: number;

  constructor(options: TransportOptions) {
    this.#baseUrl = options.baseUrl;
    this.#key = options.key;
    this.#fetch = options.fetch;
    this.timeoutMs = options.timeoutMs;
    this.#credentials = options.credentials;
  }

  /** Sends one request and answers its JSON body; every failure is a HallpassError. */
  async send<T>(method: string, path: string, request: { query?: Query; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
    let url = this.#baseUrl + path;
    if (request.query) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(request.query)) {
        if (value !== undefined && value !== null) params.set(name, String(value));
      }
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    }
    const headers: Record<string, string> = { Accept: "application/json", ...request.headers };
    if (this.#key !== undefined) headers.Authorization = `Bearer ${this.#key}`;
    const init: RequestInit = { method, headers };
    if (this.#credentials) init.credentials = this.#credentials;
    if (request.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(request.body);
    }

    const controller = typeof AbortController === "function" ? new AbortController() : undefined;
    if (controller) init.signal = controller.signal;
    const timeoutError = () =>
      new HallpassError("timeout", 0, `hallpass did not answer ${method} ${path} within ${this.timeoutMs} ms (timeoutMs)`);
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One timer for the whole call (connect, answer and body); it also ends a fetch that
    // ignores the abort signal.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(timeoutError());
        controller?.abort();
      }, this.timeoutMs);
    });
    deadline.catch(() => undefined);

    try {
      let response: Response;
      try {
        response = await Promise.race([this.#fetch(url, init), deadline]);
      } catch (error) {
        if (timedOut) throw timeoutError();
        if (HallpassError.is(error)) throw error;
        const reason = describe(error);
        throw new HallpassError("network_error", 0, `cannot reach hallpass at ${this.#baseUrl} (${method} ${path}): ${reason}`, {
          cause: error,
        });
      }

      let text: string;
      try {
        text = await Promise.race([response.text(), deadline]);
      } catch (error) {
        if (timedOut) throw timeoutError();
        throw new HallpassError("network_error", 0, `the connection to hallpass broke while reading the answer to ${method} ${path}: ${describe(error)}`, {
          cause: error,
        });
      }

      if (!response.ok) throw errorFromResponse(response, text, method, path);

      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new HallpassError(
          "invalid_response",
          response.status,
          `hallpass answered ${method} ${path} with status ${response.status} but a body that is not JSON: ${snippet(text)}`,
          { cause: error },
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

function errorFromResponse(response: Response, text: string, method: string, path: string): HallpassError {
  const retryAfterHeader = response.headers.get("retry-after");
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader.trim()) ? Number(retryAfterHeader) : undefined;
  const extra = retryAfter !== undefined ? { retryAfter } : undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown; status?: unknown } } | undefined)?.error;
  if (error && typeof error.code === "string" && error.code) {
    const status = typeof error.status === "number" && error.status > 0 ? error.status : response.status;
    const message = typeof error.message === "string" && error.message ? error.message : `hallpass answered ${error.code}`;
    return new HallpassError(error.code, status, message, extra);
  }
  const statusText = response.statusText ? ` ${response.statusText}` : "";
  return new HallpassError(
    "http_error",
    response.status,
    `${method} ${path} answered HTTP ${response.status}${statusText} without a hallpass error body${text ? `: ${snippet(text)}` : ""}`,
    extra,
  );
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch says "fetch failed" and puts the reason (ECONNREFUSED, …) in `cause`.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message && cause.message !== error.message) return `${error.message} (${cause.message})`;
  return error.message;
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine || "(empty)";
}
