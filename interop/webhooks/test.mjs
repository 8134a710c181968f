// Interop proof: the npm `standardwebhooks` library (pinned in package-lock.json) verifies
// hallpass webhook deliveries unchanged, with the secret hallpass showed once
// (docs/API.md §14.3), and refuses them once anything is altered.
//
// Runs the real binary: HALLPASS_BIN, else ../../target/debug/hallpass (build it first with
// `cargo build -p hallpass-cli`). Run with `node --test test.mjs`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { startHallpass, api, listen } from "../support/app.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.HALLPASS_BIN || resolve(here, "../../target/debug/hallpass");

let hallpass;
let work;
let receiver;
let hookUrl;
/** Every delivery: its raw body and headers as they arrived. */
const received = [];
/** The secret of the endpoint the first test creates. */
let secret;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "hallpass-webhooks-"));
  hallpass = await startHallpass(BIN, work, ["--allow-private-webhooks"]);
  receiver = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ body, headers: { ...req.headers } });
      res.writeHead(204).end();
    });
  });
  hookUrl = `http://127.0.0.1:${await listen(receiver)}/hooks`;
});

after(() => {
  hallpass?.child.kill();
  receiver?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Waits until `predicate()` holds, for at most `ms`. */
async function until(what, predicate, ms = 10_000) {
  const end = Date.now() + ms;
  while (!predicate()) {
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The deliveries of events of `type`. */
const ofType = (type) => received.filter((r) => JSON.parse(r.body).type === type);

test("deliveries verify with standardwebhooks and the secret shown once", async () => {
  const created = await api(hallpass, "POST", "/v1/webhooks", { url: hookUrl, events: ["*"], description: "interop" }, hallpass.typesKey);
  assert.match(created.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  const listed = await api(hallpass, "GET", "/v1/webhooks", undefined, hallpass.typesKey);
  assert.equal(listed.webhooks[0].secret, undefined, "the secret is shown only at creation");
  secret = created.secret;
  const wh = new Webhook(secret);

  const tested = await api(hallpass, "POST", `/v1/webhooks/${created.id}/test`, {}, hallpass.typesKey);
  assert.equal(tested.delivered, true);
  const [test] = ofType("webhook.test");
  const payload = wh.verify(test.body, test.headers);
  assert.equal(payload.data.webhookId, created.id);

  const started = await api(hallpass, "POST", "/v1/sessions/start", {
    tag: "user-session",
    data: { userId: "user-9", email: "u9@example.com", role: "viewer" },
  });
  await api(hallpass, "POST", "/v1/sessions/revoke", { tag: "user-session", sessionId: started.sessionId });
  await until("the start and the revocation to arrive", () => ofType("session.revoked").length === 1 && ofType("session.started").length === 1);

  const { events } = await api(hallpass, "GET", `/v1/events?sessionId=${started.sessionId}`);
  for (const type of ["session.started", "session.revoked"]) {
    const [delivery] = ofType(type);
    const verified = wh.verify(delivery.body, delivery.headers);
    assert.equal(delivery.headers["webhook-id"], verified.id);
    assert.deepEqual(verified, events.find((e) => e.type === type), "the body is the event as GET /v1/events shows it");
    assert.equal(JSON.stringify(verified).includes(started.token), false, "no token in a webhook");
  }
});

test("altered deliveries and other secrets do not verify", async () => {
  const [delivery] = ofType("session.revoked");
  const wh = new Webhook(secret);
  assert.ok(wh.verify(delivery.body, delivery.headers), "as delivered, it verifies");
  // The signature covers id, timestamp and body: changing any of them fails verification.
  const tampered = delivery.body.replace('"revoke"', '"sign_out"');
  assert.notEqual(tampered, delivery.body);
  for (const [body, headers] of [
    [tampered, delivery.headers],
    [delivery.body, { ...delivery.headers, "webhook-id": "evt_forged" }],
    [delivery.body, { ...delivery.headers, "webhook-timestamp": String(Number(delivery.headers["webhook-timestamp"]) + 1) }],
  ]) {
    assert.throws(() => wh.verify(body, headers), /signature/i);
  }
  const created = await api(hallpass, "POST", "/v1/webhooks", { url: hookUrl, events: ["session.revoked"] }, hallpass.typesKey);
  assert.notEqual(created.secret, secret, "every endpoint has its own secret");
  assert.throws(() => new Webhook(created.secret).verify(delivery.body, delivery.headers), /signature/i);
});
