// @hallpass/client/browser: a frontend's own cookie session (docs/API.md §8). The browser holds
// its tokens in httpOnly cookies set by the app's backend; this client only calls the browser
// routes with those cookies (`credentials: "include"`), so no token is ever readable by script.
import { atom, onMount } from "nanostores";
import { HallpassError } from "./errors.js";
import { Transport } from "./transport.js";
/** The header the browser routes require on a state change (docs/API.md §8.5). */
const CSRF_HEADER = { "X-Hallpass-CSRF": "1" };
/** Codes after which the refresh cookie may still bring the session back. */
const REFRESHABLE = new Set(["unauthorized", "token_expired"]);
/**
 * A client of one session type's browser routes. No key: the cookies authenticate.
 *
 * ```ts
 * const client = createBrowserClient({ product: "shop", env: "prd", tag: "user-session" });
 * const { data } = await client.getSession();
 * ```
 */
export function createBrowserClient(options) {
    for (const field of ["product", "env", "tag"]) {
        if (typeof options[field] !== "string" || !options[field]) {
            throw new HallpassError("invalid_options", 0, `createBrowserClient needs ${field} (the session type's ${field}): got ${String(options[field])}`);
        }
    }
    const fetchFn = options.fetch ?? (typeof fetch === "function" ? fetch.bind(globalThis) : undefined);
    if (!fetchFn)
        throw new HallpassError("invalid_options", 0, "no fetch: pass options.fetch (this runtime has no global fetch)");
    const transport = new Transport({
        baseUrl: (options.baseURL ?? "").replace(/\/+$/, ""),
        fetch: fetchFn,
        timeoutMs: options.timeoutMs ?? 30_000,
        credentials: "include",
    });
    const base = `/v1/browser/${encodeURIComponent(options.product)}/${encodeURIComponent(options.env)}/${encodeURIComponent(options.tag)}`;
    const refetchInterval = Math.max(0, options.session?.refetchInterval ?? 0);
    const refetchOnFocus = options.session?.refetchOnWindowFocus ?? true;
    const channelName = options.broadcast === false ? undefined : (options.broadcast ?? `hallpass:${options.product}/${options.env}/${options.tag}`);
    async function call(method, path) {
        try {
            const headers = method === "GET" ? undefined : CSRF_HEADER;
            return { data: await transport.send(method, base + path, headers ? { headers } : {}), error: null };
        }
        catch (error) {
            return { data: null, error: asError(error) };
        }
    }
    // One refresh at a time in this tab: two reads that find the token gone share it.
    let refreshing;
    function refresh() {
        refreshing ??= call("POST", "/refresh").finally(() => {
            refreshing = undefined;
        });
        return refreshing;
    }
    async function readSession() {
        const read = await call("GET", "/session");
        return read.data ? { data: { ...read.data, user: read.data.data }, error: null } : { data: null, error: read.error };
    }
    async function getSession() {
        const first = await readSession();
        if (!first.error)
            return first;
        if (!REFRESHABLE.has(first.error.code))
            return signedOutOr(first);
        const renewed = await refresh();
        if (renewed.error)
            return signedOutOr({ data: null, error: renewed.error });
        return signedOutOr(await readSession());
    }
    const $session = atom({
        data: null,
        error: null,
        isPending: true,
        isRefetching: false,
        refetch: () => refetch(),
    });
    let fetching;
    function refetch() {
        fetching ??= (async () => {
            const before = $session.get();
            if (!before.isPending)
                $session.set({ ...before, isRefetching: true });
            const result = await getSession();
            const now = $session.get();
            // A failed fetch (network, 5xx) keeps the session it knew: the cookies are still there.
            const data = result.error ? now.data : result.data;
            $session.set({ ...now, data, error: result.error, isPending: false, isRefetching: false });
        })().finally(() => {
            fetching = undefined;
        });
        return fetching;
    }
    // Channels are opened only while needed: an open one keeps a Node process (SSR, tests) alive.
    const openChannel = () => (channelName && typeof BroadcastChannel === "function" ? new BroadcastChannel(channelName) : undefined);
    function ended(sessionId) {
        const message = { type: "session-ended", ...(sessionId ? { sessionId } : {}) };
        const channel = openChannel();
        channel?.postMessage(message);
        channel?.close();
    }
    function signedOutHere() {
        $session.set({ ...$session.get(), data: null, error: null, isPending: false });
    }
    onMount($session, () => {
        void refetch();
        const stops = [];
        if (refetchInterval > 0) {
            const timer = setInterval(() => void refetch(), refetchInterval * 1000);
            stops.push(() => clearInterval(timer));
        }
        if (refetchOnFocus && typeof window !== "undefined" && typeof document !== "undefined") {
            const onVisible = () => {
                if (document.visibilityState !== "hidden")
                    void refetch();
            };
            window.addEventListener("focus", onVisible);
            document.addEventListener("visibilitychange", onVisible);
            stops.push(() => {
                window.removeEventListener("focus", onVisible);
                document.removeEventListener("visibilitychange", onVisible);
            });
        }
        const channel = openChannel();
        if (channel) {
            channel.addEventListener("message", (event) => {
                if (event.data?.type === "session-ended")
                    void refetch();
            });
            stops.push(() => channel.close());
        }
        return () => {
            for (const stop of stops)
                stop();
        };
    });
    const methods = {
        getSession,
        refresh,
        async signOut() {
            const sessionId = $session.get().data?.session.sessionId;
            const result = await call("POST", "/sign-out");
            if (!result.error) {
                signedOutHere();
                ended(sessionId);
            }
            return result;
        },
        listSessions: () => call("GET", "/sessions"),
        async revokeSession(sessionId) {
            const result = await call("DELETE", `/sessions/${encodeURIComponent(sessionId)}`);
            if (!result.error) {
                if ($session.get().data?.session.sessionId === sessionId)
                    signedOutHere();
                ended(sessionId);
            }
            return result;
        },
    };
    return { ...methods, $session, auth: methods };
}
/** A 401 (no session, or one that ended) is being signed out, not an error. */
function signedOutOr(result) {
    return result.error?.status === 401 ? { data: null, error: null } : result;
}
function asError(error) {
    if (HallpassError.is(error))
        return error;
    return new HallpassError("network_error", 0, error instanceof Error ? error.message : String(error), { cause: error });
}
//# sourceMappingURL=browser.js.map