// better-auth on its default SQLite setup (better-sqlite3, as its docs show), the peer that
// bench/run.sh compares hallpass's verify with: GET /api/auth/get-session with a session
// cookie. Rate limiting is turned off so that the benchmark measures throughput, not the
// limiter; everything else is the default (no cookie cache: every call reads the database).
//   BETTER_AUTH_DB=/tmp/x.db node server.mjs   # prints "listening on http://127.0.0.1:PORT"
import http from "node:http";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { getMigrations } from "better-auth/db/migration";

const auth = betterAuth({
  database: new Database(process.env.BETTER_AUTH_DB ?? "./sqlite.db"),
  emailAndPassword: { enabled: true },
  secret: "benchmark-secret-benchmark-secret-0123456789",
  baseURL: "http://127.0.0.1",
  rateLimit: { enabled: false },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
const server = http.createServer(toNodeHandler(auth));
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
