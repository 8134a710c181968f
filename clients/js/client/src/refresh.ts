// Refresh coordination: a refresh token works once, so two refreshes of the same token must
// not both reach the server (the second would answer the same pair within `refreshGrace`, and
// after it the server takes the reuse for theft and revokes the session).
//
// 1. Single flight, in one client: concurrent `sessions.refresh` calls with the same product,
//    env, tag and refresh token share one promise; the entry is removed when it settles.
// 2. Across tabs (and across clients of one page) of one origin:
//    - with Web Locks (`navigator.locks`, or the `locks` option): the refresh runs holding the
//      lock `<channelName>:<sha256 hex of the refresh token>`; the result is published on the
//      BroadcastChannel `<channelName>`; a tab that waited for the lock and finds a result for
//      its token (from the channel, kept in memory at most 60 s) uses it instead of spending
//      the token again;
//    - without Web Locks: the BroadcastChannel alone. A tab announces `refreshing <hash>`, waits
//      `settleMs` for other announcements of the same hash, and the earliest announcement
//      (time, then a random nonce) refreshes while the others wait up to `timeoutMs` for its
//      `result` (or `failed`) message; without a result they refresh themselves.
//    Neither lock names nor messages ever carry a raw refresh token (only its SHA-256); a
//    `result` message carries the new pair, which only same-origin pages can receive.
//    Without `crypto.subtle` (Node 18, pages served over plain http) only the single flight runs.
//    By default (2) runs where there are tabs (a `document`, or Web Locks) and not in server
//    processes, where a kept result would answer another request's replayed refresh token.
import type { ISessionRefreshResult } from "./types.js";

/** The part of the Web Locks API the client uses; `navigator.locks` fits. */
export interface LockManagerLike {
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/**
 * How `sessions.refresh` coordinates with other tabs; see the README. Without the option the
 * client coordinates across tabs in browsers (a `document`, or `navigator.locks`) and keeps
 * only the in-client single flight elsewhere (Node); an object (even `{}`) turns coordination
 * on with its settings, `false` turns it off.
 */
export interface RefreshCoordinationOptions {
  /** BroadcastChannel name, also the prefix of lock names. Default `"hallpass-refresh"`. */
  channelName?: string;
  /** Web Locks to use: default `globalThis.navigator.locks` when present; `null` disables locks. */
  locks?: LockManagerLike | null;
  /** Publish and receive results on the BroadcastChannel (when the runtime has one). Default true. */
  broadcast?: boolean;
  /** Without locks: how long a tab waits for other announcements before it refreshes. Default 50 ms. */
  settleMs?: number;
  /** How long results of other tabs (and our own) are kept to answer a late refresh of the same token; at most (and default) 60000 ms. */
  resultTtlMs?: number;
}

/** The internal messages on the channel (version 1). */
type Message =
  | { v: 1; type: "refreshing"; hash: string; at: number; nonce: string }
  | { v: 1; type: "result"; hash: string; tag: string; result: ISessionRefreshResult }
  | { v: 1; type: "failed"; hash: string };

interface Claim {
  at: number;
  nonce: string;
}

interface Cached {
  tag: string;
  result: ISessionRefreshResult;
  expires: number;
}

const MAX_RESULT_TTL_MS = 60_000;

export class RefreshCoordinator {
  readonly #inflight = new Map<string, Promise<ISessionRefreshResult>>();
  /** Results by token hash. */
  readonly #results = new Map<string, Cached>();
  /** Hashes another tab announced and has not finished, with when we stop believing it. */
  readonly #pending = new Map<string, number>();
  /** Callers waiting for another tab's outcome, by hash. */
  readonly #waiters = new Map<string, Set<(outcome: Cached | null) => void>>();
  /** Announcements seen during our own settle window, by hash. */
  readonly #claims = new Map<string, Claim[]>();
  readonly #channelName: string;
  readonly #locks: LockManagerLike | null;
  readonly #broadcast: boolean;
  readonly #settleMs: number;
  readonly #resultTtlMs: number;
  readonly #timeoutMs: number;
  #channel: BroadcastChannel | null | undefined;
  #closed = false;

  constructor(options: RefreshCoordinationOptions | false | undefined, timeoutMs: number) {
    // Default: coordinate where there are tabs (a document, or Web Locks as in workers). A
    // server process (Node, Deno, Bun) has no tabs, and a kept result there would answer a
    // replayed refresh token of another user's request: only the single flight runs unless
    // the option asks for more.
    const off = options === false || (options === undefined && !hasTabs());
    const o: RefreshCoordinationOptions = off ? { locks: null, broadcast: false } : (options ?? {});
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
  refresh(scopeKey: string, tag: string, refreshToken: string, send: () => Promise<ISessionRefreshResult>): Promise<ISessionRefreshResult> {
    const key = `${scopeKey}\u0000${tag}\u0000${refreshToken}`;
    const running = this.#inflight.get(key);
    if (running) return running;
    const call = this.#coordinate(tag, refreshToken, send).finally(() => {
      this.#inflight.delete(key);
    });
    this.#inflight.set(key, call);
    return call;
  }

  /** Closes the channel and drops what is kept in memory. */
  close(): void {
    this.#closed = true;
    this.#channel?.close();
    this.#channel = null;
    this.#results.clear();
    this.#pending.clear();
    for (const [, waiters] of this.#waiters) for (const wake of waiters) wake(null);
    this.#waiters.clear();
  }

  async #coordinate(tag: string, refreshToken: string, send: () => Promise<ISessionRefreshResult>): Promise<ISessionRefreshResult> {
    const channel = this.#openChannel();
    if (!this.#locks && !channel) return send();
    const hash = await sha256Hex(refreshToken);
    if (hash === null) return send();
    const known = this.#cached(hash, tag);
    if (known) return known;
    if (this.#locks) {
      return this.#locks.request(`${this.#channelName}:${hash}`, () => this.#whileLocked(hash, tag, send));
    }
    return this.#byBroadcast(hash, tag, send);
  }

  /** Holding the lock: a result of the tab that held it before, else refresh. */
  async #whileLocked(hash: string, tag: string, send: () => Promise<ISessionRefreshResult>): Promise<ISessionRefreshResult> {
    const known = this.#cached(hash, tag);
    if (known) return known;
    // The tab before us announced this hash but its result has not arrived yet (message
    // delivery is not ordered with lock release): wait for it.
    if (this.#isPending(hash)) {
      const outcome = await this.#outcome(hash, tag);
      if (outcome) return outcome;
    }
    return this.#spend(hash, tag, send, true);
  }

  /** Without locks: announce, let the earliest announcement refresh, the others wait for it. */
  async #byBroadcast(hash: string, tag: string, send: () => Promise<ISessionRefreshResult>): Promise<ISessionRefreshResult> {
    if (this.#isPending(hash)) {
      const outcome = await this.#outcome(hash, tag);
      if (outcome) return outcome;
    }
    const own: Claim = { at: Date.now(), nonce: randomNonce() };
    const seen: Claim[] = [own];
    this.#claims.set(hash, seen);
    this.#post({ v: 1, type: "refreshing", hash, at: own.at, nonce: own.nonce });
    await sleep(this.#settleMs);
    this.#claims.delete(hash);
    const first = seen.reduce((a, b) => (b.at < a.at || (b.at === a.at && b.nonce < a.nonce) ? b : a));
    if (first !== own) {
      const outcome = await this.#outcome(hash, tag);
      if (outcome) return outcome;
    }
    return this.#spend(hash, tag, send, false);
  }

  /** Sends the refresh and publishes the outcome. */
  async #spend(hash: string, tag: string, send: () => Promise<ISessionRefreshResult>, announce: boolean): Promise<ISessionRefreshResult> {
    if (announce) this.#post({ v: 1, type: "refreshing", hash, at: Date.now(), nonce: randomNonce() });
    let result: ISessionRefreshResult;
    try {
      result = await send();
    } catch (error) {
      this.#post({ v: 1, type: "failed", hash });
      throw error;
    }
    this.#pending.delete(hash);
    this.#remember(hash, tag, result);
    this.#post({ v: 1, type: "result", hash, tag, result });
    return result;
  }

  #cached(hash: string, tag: string): ISessionRefreshResult | null {
    const entry = this.#results.get(hash);
    if (!entry) return null;
    if (entry.expires <= Date.now()) {
      this.#results.delete(hash);
      return null;
    }
    return entry.tag === tag ? entry.result : null;
  }

  #remember(hash: string, tag: string, result: ISessionRefreshResult): Cached | null {
    if (this.#resultTtlMs <= 0 || this.#closed) return null;
    const now = Date.now();
    for (const [h, entry] of this.#results) if (entry.expires <= now) this.#results.delete(h);
    const entry: Cached = { tag, result, expires: now + this.#resultTtlMs };
    this.#results.set(hash, entry);
    return entry;
  }

  #isPending(hash: string): boolean {
    const until = this.#pending.get(hash);
    if (until === undefined) return false;
    if (until <= Date.now()) {
      this.#pending.delete(hash);
      return false;
    }
    return true;
  }

  /** Waits up to `timeoutMs` for another tab's outcome for this hash: its result, or null. */
  #outcome(hash: string, tag: string): Promise<ISessionRefreshResult | null> {
    const known = this.#cached(hash, tag);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(hash);
      if (!waiters) this.#waiters.set(hash, (waiters = new Set()));
      const wake = (outcome: Cached | null) => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.#waiters.get(hash) === waiters) this.#waiters.delete(hash);
        resolve(outcome && outcome.tag === tag ? outcome.result : null);
      };
      const timer = setTimeout(() => wake(null), this.#timeoutMs);
      waiters.add(wake);
    });
  }

  #wake(hash: string, outcome: Cached | null): void {
    const waiters = this.#waiters.get(hash);
    if (!waiters) return;
    for (const wake of [...waiters]) wake(outcome);
  }

  #onMessage(data: unknown): void {
    if (!isMessage(data) || this.#closed) return;
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

  #openChannel(): BroadcastChannel | null {
    if (this.#channel !== undefined) return this.#channel;
    if (!this.#broadcast || this.#closed || typeof BroadcastChannel !== "function") return (this.#channel = null);
    try {
      const channel = new BroadcastChannel(this.#channelName);
      channel.onmessage = (event: MessageEvent) => this.#onMessage(event.data);
      // Node: an open channel would keep the process alive.
      (channel as unknown as { unref?: () => void }).unref?.();
      this.#channel = channel;
    } catch {
      this.#channel = null;
    }
    return this.#channel;
  }

  #post(message: Message): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel or an uncloneable value: the other tabs fall back to their own refresh.
    }
  }
}

function hasTabs(): boolean {
  return typeof (globalThis as { document?: unknown }).document !== "undefined" || defaultLocks() !== null;
}

function defaultLocks(): LockManagerLike | null {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks && typeof locks.request === "function" ? locks : null;
}

/** Hex SHA-256 of the token, or null when the runtime has no `crypto.subtle`. */
async function sha256Hex(value: string): Promise<string | null> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!subtle || typeof TextEncoder !== "function") return null;
  try {
    const digest = await subtle.digest("SHA-256", new TextEncoder().encode(value));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  } catch {
    return null;
  }
}

function randomNonce(): string {
  const c = (globalThis as { crypto?: { getRandomValues?: <T extends ArrayBufferView>(array: T) => T } }).crypto;
  if (c?.getRandomValues) return Array.from(c.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
  return Math.random().toString(16).slice(2).padEnd(16, "0");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isMessage(data: unknown): data is Message {
  if (typeof data !== "object" || data === null) return false;
  const m = data as Record<string, unknown>;
  if (m.v !== 1 || typeof m.hash !== "string" || !/^[0-9a-f]{64}$/.test(m.hash)) return false;
  switch (m.type) {
    case "refreshing":
      return typeof m.at === "number" && typeof m.nonce === "string";
    case "result": {
      const r = m.result as Record<string, unknown> | null;
      return (
        typeof m.tag === "string" &&
        typeof r === "object" &&
        r !== null &&
        typeof r.token === "string" &&
        typeof r.refreshToken === "string" &&
        typeof r.sessionId === "string"
      );
    }
    case "failed":
      return true;
    default:
      return false;
  }
}
