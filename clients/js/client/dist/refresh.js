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
    #listeners = new Set();
    #channelName;
    #locks;
    #broadcast;
    #settleMs;
    #resultTtlMs;
    #timeoutMs;
    #channel;
    #closed = false;
    constructor(options, timeoutMs) {
        // Default: coordinate where there are tabs (a document, or Web Locks in a web worker). A
        // server process (Node, Deno, Bun; Node has navigator.locks since 24.5) has no tabs, and a
        // kept result there would answer a replayed refresh token of another user's request: only
        // the single flight runs unless the option asks for more.
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
        const told = async () => {
            const result = await send();
            if (this.#listeners.size > 0)
                this.#emit({ tag, previousTokenHash: hashRefreshToken(refreshToken), result, source: "request" });
            return result;
        };
        const call = this.#coordinate(tag, refreshToken, told).finally(() => {
            this.#inflight.delete(key);
        });
        this.#inflight.set(key, call);
        return call;
    }
    /**
     * Calls `listener` with every refresh result this client sees: its own, and other tabs' from
     * the channel (when cross-tab coordination is on). Answers the function that unsubscribes.
     */
    onRefreshed(listener) {
        if (typeof listener !== "function")
            throw new TypeError("onRefreshed(listener) needs a function");
        // A wrapper per subscription, so subscribing one function twice is two subscriptions.
        const entry = (event) => listener(event);
        this.#listeners.add(entry);
        return () => {
            this.#listeners.delete(entry);
        };
    }
    /** Closes the channel and drops what is kept in memory (listeners stay: own refreshes are still told). */
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
        const hash = hashRefreshToken(refreshToken);
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
                // Two tabs that spent one token within the server's grace publish the same pair: tell it once.
                const seen = this.#results.get(data.hash);
                const repeated = seen !== undefined && seen.result.refreshToken === data.result.refreshToken;
                const entry = this.#remember(data.hash, data.tag, data.result) ?? { tag: data.tag, result: data.result, expires: 0 };
                this.#wake(data.hash, entry);
                if (!repeated)
                    this.#emit({ tag: data.tag, previousTokenHash: data.hash, result: data.result, source: "broadcast" });
                break;
            }
            case "failed": {
                this.#pending.delete(data.hash);
                this.#wake(data.hash, null);
                break;
            }
        }
    }
    #emit(event) {
        for (const listener of [...this.#listeners]) {
            try {
                listener(event);
            }
            catch (error) {
                // A throwing listener must not break the refresh or the other listeners.
                reportListenerError(error);
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
/**
 * Whether this runtime has tabs to coordinate with: a page (a `document`, also happy-dom or
 * jsdom in tests), or Web Locks in a runtime that is not a server process (a web worker). Node
 * (which has `navigator.locks` since 24.5), Deno and Bun are server processes.
 */
function hasTabs() {
    const g = globalThis;
    if (typeof g.document !== "undefined")
        return true;
    const serverProcess = typeof g.process?.versions?.node === "string" || g.Deno !== undefined || g.Bun !== undefined;
    return !serverProcess && defaultLocks() !== null;
}
function reportListenerError(error) {
    const report = globalThis.reportError;
    if (typeof report === "function")
        report(error);
    else
        console.error("@hallpass/client: an onRefreshed listener threw:", error);
}
function defaultLocks() {
    const locks = globalThis.navigator?.locks;
    return locks && typeof locks.request === "function" ? locks : null;
}
/**
 * Lowercase hex SHA-256 of a refresh token: what lock names, channel messages and
 * `SessionRefreshedEvent.previousTokenHash` carry instead of the token. Synchronous and
 * dependency-free (no `crypto.subtle`, which plain-http pages and Node 18 lack).
 */
export function hashRefreshToken(refreshToken) {
    return sha256Hex(new TextEncoder().encode(String(refreshToken)));
}
const K = Uint32Array.of(0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2);
/** SHA-256 (FIPS 180-4) of `bytes`, as lowercase hex. */
function sha256Hex(bytes) {
    const length = bytes.length;
    const total = Math.ceil((length + 9) / 64) * 64;
    const padded = new Uint8Array(total);
    padded.set(bytes);
    padded[length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(total - 8, Math.floor(length / 0x20000000));
    view.setUint32(total - 4, (length * 8) >>> 0);
    const h = Uint32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let offset = 0; offset < total; offset += 64) {
        for (let i = 0; i < 16; i++)
            w[i] = view.getUint32(offset + i * 4);
        for (let i = 16; i < 64; i++) {
            const x = w[i - 15];
            const y = w[i - 2];
            w[i] = w[i - 16] + (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) + w[i - 7] + (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10));
        }
        let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
        for (let i = 0; i < 64; i++) {
            const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
            const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
            k = g;
            g = f;
            f = e;
            e = (d + t1) | 0;
            d = c;
            c = b;
            b = a;
            a = (t1 + t2) | 0;
        }
        const words = [a, b, c, d, e, f, g, k];
        for (let i = 0; i < 8; i++)
            h[i] = h[i] + words[i];
    }
    return Array.from(h, (word) => word.toString(16).padStart(8, "0")).join("");
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