import type { FetchLike } from "./transport.js";
/** How the feed reconnects: the first delay, doubled after each failure up to the last. */
export interface ReconnectOptions {
    /** Delay before the first retry, in ms (default 250). */
    minDelayMs?: number;
    /** Longest delay between retries, in ms (default 10,000). */
    maxDelayMs?: number;
}
export interface RevocationFeedOptions {
    url: string;
    product: string;
    env: string;
    accessKey: string;
    fetch?: FetchLike;
    reconnect?: ReconnectOptions;
    /**
     * A connection that receives nothing for this long (ms) is taken for dead and reopened; the
     * server sends a heartbeat every 15 s (default 45,000).
     */
    silenceMs?: number;
}
/** One SSE event as the parser hands it on. */
interface SseEvent {
    event: string;
    data: string;
    id: string | undefined;
}
/**
 * Splits a text/event-stream into events (the WHATWG rules that matter here: `\n`, `\r\n` and
 * `\r` line ends, comments, `field: value` with one optional space, `data` lines joined by
 * `\n`, an event dispatched at a blank line). Feed it chunks as they arrive.
 */
export declare class SseParser {
    private readonly dispatch;
    private buffer;
    private event;
    private data;
    private id;
    constructor(dispatch: (event: SseEvent) => void);
    push(chunk: string): void;
    private line;
}
/** The revoked and superseded sessions of one env, as the feed tells them. */
export declare class RevocationFeed {
    private readonly options;
    private readonly revoked;
    private readonly superseded;
    private lastEventId;
    private snapshotSeen;
    private closed;
    private abort;
    private readyWaiters;
    private readonly fetchImpl;
    private readonly minDelay;
    private readonly maxDelay;
    private readonly silenceMs;
    private wake;
    /** The last reason the feed was not connected, for error messages. */
    lastError: string | undefined;
    constructor(options: RevocationFeedOptions);
    /** Whether a snapshot has arrived (since then the sets hold what the server said). */
    get ready(): boolean;
    /** Resolves once the first snapshot has arrived. */
    whenReady(): Promise<void>;
    /** Whether the session is revoked (entries whose tokens have all expired are forgotten). */
    isRevoked(sessionId: string, now?: number): boolean;
    /** Whether a token of the session carrying data version `version` is superseded. */
    isSuperseded(sessionId: string, version: number, now?: number): boolean;
    /** Stops reading and reconnecting. */
    close(): void;
    private run;
    /** One connection, until it ends; answers whether any event arrived on it. */
    private connectOnce;
    /** Applies one event; answers whether it was one of the feed's. */
    private apply;
    private addRevoked;
    private addSuperseded;
}
export {};
//# sourceMappingURL=feed.d.ts.map