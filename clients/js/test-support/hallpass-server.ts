// Starts a real hallpass server for the tests: the cargo-built binary (HALLPASS_BIN, else
// target/debug/hallpass at the repository root) with `serve --dev` on a free loopback port and
// a throwaway SQLite file. `--dev` creates product `demo` (envs dev, prd), session type
// `user-session` (schema {userId, email}, selector $Session{userId}, 1-hour tokens), an
// access key and a publishable key of demo/dev, and an access key of every env (session types
// are shared by the envs, so only such a key or the admin key changes them), which it prints
// (with the admin key that an empty database gets).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The binary the tests run. */
export const HALLPASS_BIN = process.env.HALLPASS_BIN ?? resolve(here, "../../../target/debug/hallpass");

/** A running server and the keys `--dev` made. */
export interface RunningHallpass {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Admin key (`hp_admin_…`) created on the empty database: every product, every env. */
  adminKey: string;
  /** Access key of demo/dev. */
  accessKey: string;
  /** Publishable key of demo/dev. */
  publishableKey: string;
  /** Access key of every env of demo: what creates and changes session types, which all envs share. */
  productKey: string;
  /** The directory of its files. */
  dir: string;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
}

/** Where and on what a server runs; by default a fresh SQLite file on a free port. */
export interface StartOptions {
  /** The directory of its files (default: a new temporary one, deleted by `stop`). */
  dir?: string;
  /** The listen address (default `127.0.0.1:0`): the address of a stopped server restarts it there. */
  listen?: string;
  /** The database (default: `hallpass.db` in `dir`); a PostgreSQL URL runs a node of a deployment. */
  databaseUrl?: string;
  /** The admin key, when the database already has one (it is printed only by the first start). */
  adminKey?: string;
  /** Keep `dir` when stopping (to start again on the same files). */
  keepFiles?: boolean;
  /** `HALLPASS_MASTER_KEY` (needed on PostgreSQL, the same on every node). */
  masterKey?: string;
}

/** Starts a server (a fresh one by default); resolves once it listens. */
export async function startHallpass(options: StartOptions = {}): Promise<RunningHallpass> {
  if (!existsSync(HALLPASS_BIN)) {
    throw new Error(`hallpass binary not found at ${HALLPASS_BIN}: run \`cargo build -p hallpass-cli\` or set HALLPASS_BIN`);
  }
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "hallpass-js-"));
  const databaseUrl = options.databaseUrl ?? `sqlite://${join(dir, "hallpass.db")}`;
  const child: ChildProcess = spawn(
    HALLPASS_BIN,
    ["serve", "--dev", "--listen", options.listen ?? "127.0.0.1:0", "--database-url", databaseUrl],
    {
      cwd: dir,
      stdio: ["ignore", "pipe", "inherit"],
      env: options.masterKey ? { ...process.env, HALLPASS_MASTER_KEY: options.masterKey } : process.env,
    },
  );
  const found: Partial<Record<"url" | "adminKey" | "accessKey" | "publishableKey" | "productKey", string>> = {};
  if (options.adminKey) found.adminKey = options.adminKey;
  await new Promise<void>((done, fail) => {
    child.once("exit", (code) => fail(new Error(`hallpass exited with code ${code} before it listened`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const admin = /^admin key: (\S+)$/.exec(line);
      if (admin) found.adminKey = admin[1];
      const access = /^access key \(demo\/dev\): (\S+)$/.exec(line);
      if (access) found.accessKey = access[1];
      const publishable = /^publishable key \(demo\/dev\): (\S+)$/.exec(line);
      if (publishable) found.publishableKey = publishable[1];
      const product = /^access key \(demo, every env; manages session types\): (\S+)$/.exec(line);
      if (product) found.productKey = product[1];
      const url = /^listening on (\S+)$/.exec(line);
      if (url) found.url = url[1];
      if (found.url && found.adminKey && found.accessKey && found.publishableKey && found.productKey) done();
    });
  });
  return {
    url: found.url!,
    adminKey: found.adminKey!,
    accessKey: found.accessKey!,
    publishableKey: found.publishableKey!,
    productKey: found.productKey!,
    dir,
    async stop() {
      child.removeAllListeners("exit");
      if (child.exitCode === null) {
        await new Promise<void>((done) => {
          child.once("exit", () => done());
          child.kill();
        });
      }
      if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
    },
  };
}
