const MAX_RESULT_TTL_MS = 60_000;
export class RefreshCoordinator {
    #inflight = new Map();
    /** Results by token hash. */
    #results = new Map();
    /** Hashes another tab announced and has not finished, with when we stop believing it. */
    #pending = new Map();
    /** Callers waiting for another tab's outcome, by hash. */
    #waiters = new Map();
    /** Announcements seen during our own settle window, by hash. */
    #claims = new Map();
    #channelName;
    #locks;
    #broadcast;
    #settleMs;
    #resultTtlMs;
    #timeoutMs;
    #channel;
    #closed = false;
    constructor(options, timeoutMs) {
        // Default: coordinate where there are tabs (a document, or Web Locks as in workers). A
        // server process (Node, Deno, Bun) has no tabs, and a kept result there would answer a
        // replayed refresh token of another user's request: only the single flight runs unless
        // the option asks for more.
        const off = options === false || (options === undefined && !hasTabs());
        const o = off ? { locks: null, broadcast: false } : (options ?? {});
        this.#channelName = o.channelName ?? "hallpass-refresh";
        this.#locks = o.locks === undefined ? defaultLocks() : o.locks;
        this.#broadcast = o.broadcast ?? true;
        this.#settleMs = Math.max(0, o.settleMs ?? 50);
        this.#resultTtlMs = Math.min(MAX_RESULT_TTL_MS, Math.max(0, o.resultTtlMs ?? MAX_RESULT_TTL_MS));
        this.#timeoutMs = timeoutMs;
        // Listen from the start, so results of other tabs are known before this tab needs them.
        this.#openChannel();
    }
    /**
     * Runs `send` for this refresh token unless a call of this client is already refreshing it
     * (then shares that call) or another tab is or just did (then uses its result).
     */
    refresh(scopeKey, tag, refreshToken, send) {
        const key = `${scopeKey}\u0000${tag}\u0000${refreshToken}`;
        const running = this.#inflight.get(key);
        if (running)
            return running;
        const call = this.#coordinate(tag, refreshToken, send).finally(() => {
            this.#inflight.delete(key);
        });
        this.#inflight.set(key, call);
        return call;
    }
    /** Closes the channel and drops what is kept in memory. */
    close() {
        this.#closed = true;
        this.#channel?.close();
        this.#channel = null;
        this.#results.clear();
        this.#pending.clear();
        for (const [, waiters] of this.#waiters)
            for (const wake of waiters)
                wake(null);
        this.#waiters.clear();
    }
    async #coordinate(tag, refreshToken, send) {
        const channel = this.#openChannel();
        if (!this.#locks && !channel)
            return send();
        const hash = await sha256Hex(refreshToken);
        if (hash === null)
            return send();
        const known = this.#cached(hash, tag);
        if (known)
            return known;
        if (this.#locks) {
            return this.#locks.request(`${this.#channelName}:${hash}`, () => this.#whileLocked(hash, tag, send));
        }
        return this.#byBroadcast(hash, tag, send);
    }
    /** Holding the lock: a result of the tab that held it before, else refresh. */
    async #whileLocked(hash, tag, send) {
        const known = this.#cached(hash, tag);
        if (known)
            return known;
        // The tab before us announced this hash but its result has not arrived yet (message
        // delivery is not ordered with lock release): wait for it.
        if (this.#isPending(hash)) {
            const outcome = await this.#outcome(hash, tag);
            if (outcome)
                return outcome;
        }
        return this.#spend(hash, tag, send, true);
    }
    /** Without locks: announce, let the earliest announcement refresh, the others wait for it. */
    async #byBroadcast(hash, tag, send) {
        if (this.#isPending(hash)) {
            const outcome = await this.#outcome(hash, tag);
            if (outcome)
                return outcome;
        }
        const own = { at: Date.now(), nonce: randomNonce() };
        const seen = [own];
        this.#claims.set(hash, seen);
        this.#post({ v: 1, type: "refreshing", hash, at: own.at, nonce: own.nonce });
        await sleep(this.#settleMs);
        this.#claims.delete(hash);
        const first = seen.reduce((a, b) => (b.at < a.at || (b.at === a.at && b.nonce < a.nonce) ? b : a));
        if (first !== own) {
            const outcome = await this.#outcome(hash, tag);
            if (outcome)
                return outcome;
        }
        return this.#spend(hash, tag, send, false);
    }
    /** Sends the refresh and publishes the outcome. */
    async #spend(hash, tag, send, announce) {
        if (announce)
            this.#post({ v: 1, type: "refreshing", hash, at: Date.now(), nonce: randomNonce() });
        let result;
        try {
            result = await send();
        }
        catch (error) {
            this.#post({ v: 1, type: "failed", hash });
            throw error;
        }
        this.#pending.delete(hash);
        this.#remember(hash, tag, result);
        this.#post({ v: 1, type: "result", hash, tag, result });
        return result;
    }
    #cached(hash, tag) {
        const entry = this.#results.get(hash);
        if (!entry)
            return null;
        if (entry.expires <= Date.now()) {
            this.#results.delete(hash);
            return null;
        }
        return entry.tag === tag ? entry.result : null;
    }
    #remember(hash, tag, result) {
        if (this.#resultTtlMs <= 0 || this.#closed)
            return null;
        const now = Date.now();
        for (const [h, entry] of this.#results)
            if (entry.expires <= now)
                this.#results.delete(h);
        const entry = { tag, result, expires: now + this.#resultTtlMs };
        this.#results.set(hash, entry);
        return entry;
    }
    #isPending(hash) {
        const until = this.#pending.get(hash);
        if (until === undefined)
            return false;
        if (until <= Date.now()) {
            this.#pending.delete(hash);
            return false;
        }
        return true;
    }
    /** Waits up to `timeoutMs` for another tab's outcome for this hash: its result, or null. */
    #outcome(hash, tag) {
        const known = this.#cached(hash, tag);
        if (known)
            return Promise.resolve(known);
        return new Promise((resolve) => {
            let waiters = this.#waiters.get(hash);
            if (!waiters)
                this.#waiters.set(hash, (waiters = new Set()));
            const wake = (outcome) => {
                clearTimeout(timer);
                waiters.delete(wake);
                if (waiters.size === 0 && this.#waiters.get(hash) === waiters)
                    this.#waiters.delete(hash);
                resolve(outcome && outcome.tag === tag ? outcome.result : null);
            };
            const timer = setTimeout(() => wake(null), this.#timeoutMs);
            waiters.add(wake);
        });
    }
    #wake(hash, outcome) {
        const waiters = this.#waiters.get(hash);
        if (!waiters)
            return;
        for (const wake of [...waiters])
            wake(outcome);
    }
    #onMessage(data) {
        if (!isMessage(data) || this.#closed)
            return;
        switch (data.type) {
            case "refreshing": {
                this.#pending.set(data.hash, Date.now() + this.#timeoutMs);
                this.#claims.get(data.hash)?.push({ at: data.at, nonce: data.nonce });
                break;
            }
            case "result": {
                this.#pending.delete(data.hash);
                const entry = this.#remember(data.hash, data.tag, data.result) ?? { tag: data.tag, result: data.result, expires: 0 };
                this.#wake(data.hash, entry);
                break;
            }
            case "failed": {
                this.#pending.delete(data.hash);
                this.#wake(data.hash, null);
                break;
            }
        }
    }
    #openChannel() {
        if (this.#channel !== undefined)
            return this.#channel;
        if (!this.#broadcast || this.#closed || typeof BroadcastChannel !== "function")
            return (this.#channel = null);
        try {
            const channel = new BroadcastChannel(this.#channelName);
            channel.onmessage = (event) => this.#onMessage(event.data);
            // Node: an open channel would keep the process alive.
            channel.unref?.();
            this.#channel = channel;
        }
        catch {
            this.#channel = null;
        }
        return this.#channel;
    }
    #post(message) {
        try {
            this.#channel?.postMessage(message);
        }
        catch {
            // A closed channel or an uncloneable value: the other tabs fall back to their own refresh.
        }
    }
}
function hasTabs() {
    return typeof globalThis.document !== "undefined" || defaultLocks() !== null;
}
function defaultLocks() {
    const locks = globalThis.navigator?.locks;
    return locks && typeof locks.request === "function" ? locks : null;
}
/** Hex SHA-256 of the token, or null when the runtime has no `crypto.subtle`. */
async function sha256Hex(value) {
    const subtle = globalThis.crypto?.subtle;
    if (!subtle || typeof TextEncoder !== "function")
        return null;
    try {
        const digest = await subtle.digest("SHA-256", new TextEncoder().encode(value));
        return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    }
    catch {
        return null;
    }
}
function randomNonce() {
    const c = globalThis.crypto;
    if (c?.getRandomValues)
        return Array.from(c.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
    return Math.random().toString(16).slice(2).padEnd(16, "0");
}
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
function isMessage(data) {
    if (typeof data !== "object" || data === null)
        return false;
    const m = data;
    if (m.v !== 1 || typeof m.hash !== "string" || !/^[0-9a-f]{64}$/.test(m.hash))
        return false;
    switch (m.type) {
        case "refreshing":
            return typeof m.at === "number" && typeof m.nonce === "string";
        case "result": {
            const r = m.result;
            return (typeof m.tag === "string" &&
                typeof r === "object" &&
                r !== null &&
                typeof r.token === "string" &&
                typeof r.refreshToken === "string" &&
                typeof r.sessionId === "string");
        }
        case "failed":
            return true;
        default:
            return false;
    }
}
//# sourceMappingURL=refresh.js.map