// Shared by the tests: a fetch that counts what it sends, error assertions, and the server's
// OpenAPI document for checking answers against it at run time.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { HallpassError, type FetchLike, type LockManagerLike } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));

/** One request a counting fetch saw. */
export interface SentRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records every request and passes it to `inner` (the real fetch by default). */
export function countingFetch(inner: FetchLike = (input, init) => fetch(input, init)): { fetch: FetchLike; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  return {
    sent,
    fetch: async (input, init) => {
      sent.push({
        method: init.method ?? "GET",
        url: new URL(input),
        headers: { ...(init.headers as Record<string, string>) },
        body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
      });
      return inner(input, init);
    },
  };
}

/** Awaits a rejection and checks it is a HallpassError with this code and status. */
export async function expectHallpassError(promise: Promise<unknown>, code: string, status: number): Promise<HallpassError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a HallpassError ${code}`).toBeInstanceOf(HallpassError);
  const error = caught as HallpassError;
  expect({ code: error.code, status: error.status }).toEqual({ code, status });
  expect(error.message).toBeTruthy();
  expect(error.name).toBe("HallpassError");
  return error;
}

/** Data that fits the dev session type `user-session` (schema {userId, email}). */
export function userData(userId: string, extra: Record<string, unknown> = {}) {
  return { userId, email: `${userId}@example.com`, ...extra };
}

let counter = 0;
/** A name unique to this test run. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

interface OpenApiSchema {
  required?: string[];
  properties?: Record<string, unknown>;
}
const openapi = JSON.parse(readFileSync(resolve(here, "../../../../docs/openapi.json"), "utf8")) as {
  components: { schemas: Record<string, OpenApiSchema> };
};

/** Checks at run time that an answer has every required field of the schema and no field it does not list. */
export function expectWireShape(value: unknown, schemaName: string): void {
  const schema = openapi.components.schemas[schemaName];
  expect(schema, `schema ${schemaName} in docs/openapi.json`).toBeDefined();
  expect(typeof value).toBe("object");
  const keys = Object.keys(value as object);
  for (const field of schema!.required ?? []) expect(keys, `${schemaName}.${field} is required`).toContain(field);
  const known = Object.keys(schema!.properties ?? {});
  for (const key of keys) expect(known, `${schemaName} has no field ${key}`).toContain(key);
}

/** A local HTTP server answering every request with `handler` (or never, without one). */
export async function localServer(handler?: Parameters<typeof createServer>[1]): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(handler ?? (() => undefined));
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** An in-memory Web Locks fake: one holder per name at a time, in request order. */
export class FakeLocks implements LockManagerLike {
  readonly requested: string[] = [];
  readonly #tails = new Map<string, Promise<unknown>>();

  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T> {
    this.requested.push(name);
    const previous = this.#tails.get(name) ?? Promise.resolve();
    const run = previous.then(() => callback({ name, mode: "exclusive" }));
    this.#tails.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
}

/** SHA-256 hex, as the client names locks and messages. */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
