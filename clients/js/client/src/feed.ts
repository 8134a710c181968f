// The revocation feed client (docs/API.md §14.4): `GET /v1/revocations/{product}/{env}` read with
// fetch (Node 20 has no EventSource, and EventSource cannot send `Authorization`), parsed as
// server-sent events, reconnected with backoff and `Last-Event-ID`. It keeps the revoked and
// superseded sessions in memory; a snapshot replaces them.
import type { components } from "./generated/openapi.js";
import type { FetchLike } from "./transport.js";

type RevocationSnapshot = components["schemas"]["RevocationSnapshot"];
type RevokedSession = components["schemas"]["RevokedSession"];
type SupersededSession = components["schemas"]["SupersededSession"];

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
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;

  constructor(private readonly dispatch: (event: SseEvent) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) return;
      // A lone `\r` at the end of a chunk may be the first half of `\r\n`: wait for more.
      if (this.buffer[end] === "\r" && end === this.buffer.length - 1) return;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(this.buffer.startsWith("\r\n", end) ? end + 2 : end + 1);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === "") {
      if (this.data.length > 0) this.dispatch({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
      this.event = "";
      this.data = [];
      this.id = undefined;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }
}

/** The revoked and superseded sessions of one env, as the feed tells them. */
export class RevocationFeed {
  private readonly revoked = new Map<string, number>();
  private readonly superseded = new Map<string, { version: number; until: number }>();
  private lastEventId: string | undefined;
  private snapshotSeen = false;
  private closed = false;
  private abort: AbortController | undefined;
  private readyWaiters: Array<() => void> = [];
  private readonly fetchImpl: FetchLike;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly silenceMs: number;
  private wake: (() => void) | undefined;
  /** The last reason the feed was not connected, for error messages. */
  lastError: string | undefined;

  constructor(private readonly options: RevocationFeedOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.minDelay = options.reconnect?.minDelayMs ?? 250;
    this.maxDelay = options.reconnect?.maxDelayMs ?? 10_000;
    this.silenceMs = options.silenceMs ?? 45_000;
    void this.run();
  }

  /** Whether a snapshot has arrived (since then the sets hold what the server said). */
  get ready(): boolean {
    return this.snapshotSeen;
  }

  /** Resolves once the first snapshot has arrived. */
  whenReady(): Promise<void> {
    if (this.snapshotSeen) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Whether the session is revoked (entries whose tokens have all expired are forgotten). */
  isRevoked(sessionId: string, now = Date.now()): boolean {
    const until = this.revoked.get(sessionId);
    if (until === undefined) return false;
    if (until <= now) {
      this.revoked.delete(sessionId);
      return false;
    }
    return true;
  }

  /** Whether a token of the session carrying data version `version` is superseded. */
  isSuperseded(sessionId: string, version: number, now = Date.now()): boolean {
    const entry = this.superseded.get(sessionId);
    if (entry === undefined) return false;
    if (entry.until <= now) {
      this.superseded.delete(sessionId);
      return false;
    }
    return version < entry.version;
  }

  /** Stops reading and reconnecting. */
  close(): void {
    this.closed = true;
    this.abort?.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      const progressed = await this.connectOnce();
      if (this.closed) return;
      failures = progressed ? 0 : failures + 1;
      const delay = Math.min(this.maxDelay, this.minDelay * 2 ** Math.max(0, failures - 1));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, progressed ? this.minDelay : delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One connection, until it ends; answers whether any event arrived on it. */
  private async connectOnce(): Promise<boolean> {
    const { url, product, env, accessKey } = this.options;
    const abort = new AbortController();
    this.abort = abort;
    let progressed = false;
    let silence: ReturnType<typeof setTimeout> | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(() => abort.abort(), this.silenceMs);
    };
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${accessKey}`, accept: "text/event-stream" };
      if (this.lastEventId !== undefined) headers["last-event-id"] = this.lastEventId;
      heard();
      const feedUrl = `${url.replace(/\/+$/, "")}/v1/revocations/${encodeURIComponent(product)}/${encodeURIComponent(env)}`;
      const response = await this.fetchImpl(feedUrl, { method: "GET", headers, signal: abort.signal });
      if (!response.ok || response.body === null) {
        this.lastError = `the feed answered ${response.status}`;
        await response.body?.cancel().catch(() => undefined);
        return false;
      }
      const parser = new SseParser((event) => {
        if (this.apply(event)) progressed = true;
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        heard();
        parser.push(value);
      }
      this.lastError = "the feed ended";
    } catch (error) {
      this.lastError = `the feed failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      clearTimeout(silence);
    }
    return progressed;
  }

  /** Applies one event; answers whether it was one of the feed's. */
  private apply(event: SseEvent): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      return false;
    }
    switch (event.event) {
      case "snapshot": {
        const snapshot = parsed as RevocationSnapshot;
        this.revoked.clear();
        this.superseded.clear();
        snapshot.revoked.forEach((r) => this.addRevoked(r));
        snapshot.superseded.forEach((s) => this.addSuperseded(s));
        this.snapshotSeen = true;
        this.readyWaiters.splice(0).forEach((resolve) => resolve());
        break;
      }
      case "revoked":
        this.addRevoked(parsed as RevokedSession);
        break;
      case "superseded":
        this.addSuperseded(parsed as SupersededSession);
        break;
      default:
        return false;
    }
    if (event.id !== undefined) this.lastEventId = event.id;
    return true;
  }

  private addRevoked(r: RevokedSession): void {
    const until = Date.parse(r.until);
    this.revoked.set(r.sessionId, Math.max(until, this.revoked.get(r.sessionId) ?? -Infinity));
  }

  private addSuperseded(s: SupersededSession): void {
    const until = Date.parse(s.until);
    const known = this.superseded.get(s.sessionId);
    // Versions only grow: an older one learnt late changes nothing.
    if (known && known.version >= s.version) {
      known.until = Math.max(known.until, until);
      return;
    }
    this.superseded.set(s.sessionId, { version: s.version, until: Math.max(until, known?.until ?? -Infinity) });
  }
}
