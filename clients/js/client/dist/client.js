import { HallpassError, PUBLISHABLE_KEY_MESSAGE } from "./errors.js";
import { RefreshCoordinator } from "./refresh.js";
import { Transport } from "./transport.js";
const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * The hallpass client: `new Hallpass({ url, accessKey, product?, env? })`, then
 * `hallpass.sessions.start(...)` and friends. No runtime dependencies; Node 18+ and browsers.
 */
export class Hallpass {
    /** Session methods (docs/API.md §4). */
    sessions;
    /** Session-type methods (docs/API.md §4.8). */
    sessionTypes;
    /** The server's base URL, without a trailing slash. */
    url;
    /** Default product of every call, if given. */
    product;
    /** Default env of every call, if given. */
    env;
    /** True when the client holds a publishable key: session and session-type methods reject. */
    usesPublishableKey;
    #transport;
    #refresh;
    constructor(options) {
        if (typeof options !== "object" || options === null) {
            throw invalidOptions("new Hallpass(options) needs an options object: { url, accessKey } or { url, publishableKey }");
        }
        const { accessKey, publishableKey } = options;
        const hasAccess = accessKey !== undefined && accessKey !== null;
        const hasPublishable = publishableKey !== undefined && publishableKey !== null;
        if (hasAccess && hasPublishable) {
            throw invalidOptions("give either accessKey (backends) or publishableKey (browsers), not both");
        }
        if (!hasAccess && !hasPublishable) {
            throw invalidOptions("a key is required: accessKey (hp_sk_…, backends) or publishableKey (hp_pk_…, browsers)");
        }
        const key = hasAccess ? accessKey : publishableKey;
        if (typeof key !== "string" || key.trim() === "" || /\s/.test(key)) {
            throw invalidOptions(`${hasAccess ? "accessKey" : "publishableKey"} must be a non-empty string without spaces`);
        }
        this.url = baseUrl(options.url);
        for (const name of ["product", "env"]) {
            const value = options[name];
            if (value !== undefined && (typeof value !== "string" || value === "")) {
                throw invalidOptions(`${name} must be a non-empty string when given`);
            }
        }
        this.product = options.product;
        this.env = options.env;
        const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
            throw invalidOptions("timeoutMs must be a positive number of milliseconds");
        }
        let fetchFn;
        if (options.fetch !== undefined) {
            if (typeof options.fetch !== "function")
                throw invalidOptions("fetch must be a function");
            fetchFn = options.fetch;
        }
        else {
            if (typeof globalThis.fetch !== "function") {
                throw invalidOptions("this runtime has no global fetch (Node 18+ and browsers do): pass one as the fetch option");
            }
            // Called through globalThis so browsers do not see an illegal invocation.
            fetchFn = (input, init) => globalThis.fetch(input, init);
        }
        // A publishable key given as accessKey is still a publishable key: refuse it before sending.
        this.usesPublishableKey = hasPublishable || key.startsWith("hp_pk_");
        this.#transport = new Transport({ baseUrl: this.url, key, fetch: fetchFn, timeoutMs });
        this.#refresh = new RefreshCoordinator(options.refreshCoordination, timeoutMs);
        this.sessions = this.#makeSessions();
        this.sessionTypes = this.#makeSessionTypes();
    }
    /**
     * Closes the refresh coordination channel and forgets kept refresh results (optional; nothing
     * else holds resources). The client still works afterwards, without cross-tab coordination.
     */
    close() {
        this.#refresh.close();
    }
    #backendOnly() {
        if (this.usesPublishableKey)
            throw new HallpassError("publishable_key_forbidden", 403, PUBLISHABLE_KEY_MESSAGE);
    }
    /** The input with `product`/`env` from the options when the call does not name them. */
    #scoped(input) {
        // A missing input is sent as {} so the server names the missing fields (422 invalid_request).
        const given = (typeof input === "object" && input !== null ? input : {});
        return { ...given, product: given.product ?? this.product, env: given.env ?? this.env };
    }
    #query(scope) {
        return { product: scope?.product ?? this.product, env: scope?.env ?? this.env };
    }
    #post(path, body) {
        return this.#transport.send("POST", path, { body });
    }
    #makeSessions() {
        const sessions = {
            start: async (input) => {
                this.#backendOnly();
                return this.#post("/v1/sessions/start", this.#scoped(input));
            },
            verify: async (input) => {
                this.#backendOnly();
                return this.#post("/v1/sessions/verify", this.#scoped(input));
            },
            verifyOrRefresh: async (input) => {
                this.#backendOnly();
                const given = (typeof input === "object" && input !== null ? input : {});
                const { refreshToken, ...verifyInput } = given;
                try {
                    return { ...(await sessions.verify(verifyInput)), refreshed: null };
                }
                catch (error) {
                    // Only a superseded token has a newer one to get; without a refresh token there is none.
                    if (!isSuperseded(error) || typeof refreshToken !== "string" || refreshToken === "")
                        throw error;
                }
                // Through `refresh`, so the single flight, the tabs' coordination and onRefreshed
                // listeners (an auto-refresh holding this refresh token) all see it.
                const refreshed = await sessions.refresh({ tag: verifyInput.tag, refreshToken, product: verifyInput.product, env: verifyInput.env });
                try {
                    return { ...(await sessions.verify({ ...verifyInput, token: refreshed.token })), refreshed };
                }
                catch (error) {
                    throw afterRefresh(error, refreshed);
                }
            },
            refresh: async (input) => {
                this.#backendOnly();
                const body = this.#scoped(input);
                const send = () => this.#post("/v1/sessions/refresh", body);
                if (typeof body.refreshToken !== "string" || body.refreshToken === "" || typeof body.tag !== "string")
                    return send();
                return this.#refresh.refresh(`${body.product ?? ""}\u0000${body.env ?? ""}`, body.tag, body.refreshToken, send);
            },
            revoke: async (input) => {
                this.#backendOnly();
                return this.#post("/v1/sessions/revoke", this.#scoped(input));
            },
            revokeAll: async (input) => {
                this.#backendOnly();
                return this.#post("/v1/sessions/revoke-all", this.#scoped(input));
            },
            list: async (input) => {
                this.#backendOnly();
                return this.#post("/v1/sessions/list", this.#scoped(input));
            },
            update: async (input) => {
                this.#backendOnly();
                return this.#post("/v1/sessions/update", this.#scoped(input));
            },
            updateAll: async (input) => {
                this.#backendOnly();
                return this.#post("/v1/sessions/update-all", this.#scoped(input));
            },
            reauthenticate: async (input) => {
                this.#backendOnly();
                return this.#post("/v1/sessions/reauthenticate", this.#scoped(input));
            },
            onRefreshed: (listener) => this.#refresh.onRefreshed(listener),
        };
        return sessions;
    }
    #makeSessionTypes() {
        const typePath = (tag) => {
            if (typeof tag !== "string" || tag === "") {
                // Mirrors the server's answer to a request without a required field.
                throw new HallpassError("invalid_request", 422, "a session type tag (non-empty string) is required");
            }
            return `/v1/session-types/${encodeURIComponent(tag)}`;
        };
        return {
            create: async (input) => {
                this.#backendOnly();
                return this.#post("/v1/session-types", this.#scoped(input));
            },
            update: async (tagOrPatch, patch) => {
                this.#backendOnly();
                let tag;
                let body;
                if (typeof tagOrPatch === "string") {
                    tag = tagOrPatch;
                    body = patch ?? {};
                }
                else {
                    const { tag: inner, ...rest } = tagOrPatch ?? {};
                    tag = inner;
                    body = rest;
                }
                const path = typePath(tag);
                return this.#transport.send("PATCH", path, { body: this.#scoped(body) });
            },
            fetch: async (tag, scope) => {
                this.#backendOnly();
                return this.#transport.send("GET", typePath(tag), { query: this.#query(scope) });
            },
            fetchAll: async (scope) => {
                this.#backendOnly();
                const list = await this.#transport.send("GET", "/v1/session-types", { query: this.#query(scope) });
                if (!list || !Array.isArray(list.sessionTypes)) {
                    throw new HallpassError("invalid_response", 200, "GET /v1/session-types answered without a sessionTypes array");
                }
                return list.sessionTypes;
            },
            delete: async (tag, options) => {
                this.#backendOnly();
                return this.#transport.send("DELETE", typePath(tag), {
                    query: { ...this.#query(options), force: options?.force ? "true" : undefined },
                });
            },
        };
    }
}
function isSuperseded(error) {
    return HallpassError.is(error) && error.code === "token_superseded";
}
/**
 * A failure of verifyOrRefresh's second verify, carrying the pair the refresh got (the refresh
 * token given is spent, so the caller must not lose it).
 */
function afterRefresh(error, refreshed) {
    if (!HallpassError.is(error))
        return error;
    const again = error.code === "token_superseded" ? "was superseded too (the session changed again meanwhile)" : "failed";
    return new HallpassError(error.code, error.status, `${error.message} (sessions.verifyOrRefresh: the token was superseded, so it refreshed once, and the refreshed token ${again}; error.refreshed holds the session's new pair, which replaces the spent refresh token)`, { cause: error, ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}), refreshed });
}
function invalidOptions(message) {
    return new HallpassError("invalid_options", 0, `invalid Hallpass options: ${message}`);
}
function baseUrl(url) {
    if (typeof url !== "string" || url.trim() === "") {
        throw invalidOptions("url is required: the hallpass server's base URL, e.g. http://127.0.0.1:8420");
    }
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        throw invalidOptions(`url '${url}' is not an absolute URL (e.g. http://127.0.0.1:8420)`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        throw invalidOptions(`url '${url}' must be http:// or https://`);
    }
    if (parsed.search || parsed.hash)
        throw invalidOptions(`url '${url}' must not have a query or fragment`);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}
//# sourceMappingURL=client.js.map