// sessionTypes.create|update|fetch|fetchAll|delete against a real server (the examples of Ductape's
// session-type documentation, docs/API.md §1.3).
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { startHallpass, type RunningHallpass } from "../../test-support/hallpass-server.js";
import { Hallpass, type IProductSession, type ISessionType } from "../src/index.js";
import { countingFetch, expectHallpassError, expectWireShape } from "./helpers.js";

let server: RunningHallpass;
let hallpass: Hallpass;

beforeAll(async () => {
  server = await startHallpass();
  // Session types are shared by every env: a key of every env manages them (here for env dev).
  hallpass = new Hallpass({ url: server.url, accessKey: server.productKey, env: "dev" });
});

afterAll(async () => {
  await server?.stop();
});

// The example of Ductape's session-type documentation, as written there.
const details: IProductSession = {
  name: "Session Name",
  tag: "session_name",
  description: "Session Description Here",
  schema: {
    userId: "191010192-19198829819",
    details: {
      username: "ductape-user",
      email: "santos@ductape.app",
    },
  },
  selector: "$Session{details}{username}",
  expiry: 7,
  period: "hours",
};

describe("sessionTypes", () => {
  it("create answers the type with every field, defaults filled in", async () => {
    const created = await hallpass.sessionTypes.create(details);
    expectWireShape(created, "SessionTypeResponse");
    expectTypeOf(created).toEqualTypeOf<ISessionType>();
    expect(created).toMatchObject({
      product: "demo",
      tag: "session_name",
      name: "Session Name",
      description: "Session Description Here",
      schema: details.schema,
      selector: "$Session{details}{username}",
      expiry: 7,
      period: "hours",
      refreshExpiry: 30,
      refreshPeriod: "days",
      refreshGrace: 10,
      cookie: null,
      updateAge: null,
      forwardData: false,
    });
    expect(created.createdAt).toBe(created.updatedAt);

    // The nested selector picks the identifier.
    const session = await hallpass.sessions.start({
      tag: "session_name",
      data: { userId: "u-1", details: { username: "santos", email: "santos@ductape.app" } },
    });
    expect(session.identifier).toBe("santos");
  });

  it("create of an existing tag is 409 conflict", async () => {
    await expectHallpassError(hallpass.sessionTypes.create({ ...details, name: "Again" }), "conflict", 409);
  });

  it("update merges fields, by tag and patch or Ductape's patch with the tag inside", async () => {
    const updated = await hallpass.sessionTypes.update("session_name", { expiry: 14, period: "days" });
    expect(updated).toMatchObject({ tag: "session_name", expiry: 14, period: "days", name: "Session Name" });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(updated.createdAt));

    const tagInside = await hallpass.sessionTypes.update({ tag: "session_name", description: "Merged", refreshGrace: 5 });
    expect(tagInside).toMatchObject({ expiry: 14, period: "days", description: "Merged", refreshGrace: 5 });

    // null clears a nullable field.
    const cleared = await hallpass.sessionTypes.update("session_name", { selector: null, updateAge: 60 });
    expect(cleared.selector ?? null).toBeNull();
    expect(cleared.updateAge).toBe(60);

    await expectHallpassError(hallpass.sessionTypes.update("no-such-type", { expiry: 1 }), "session_type_not_found", 404);
  });

  it("fetch answers one type; fetchAll answers the array of every type", async () => {
    const one = await hallpass.sessionTypes.fetch("session_name");
    expect(one).toMatchObject({ tag: "session_name", description: "Merged" });
    const all = await hallpass.sessionTypes.fetchAll();
    expect(Array.isArray(all)).toBe(true);
    expectTypeOf(all).toEqualTypeOf<ISessionType[]>();
    expect(all.map((t) => t.tag).sort()).toEqual(["session_name", "user-session"]);
    all.forEach((t) => expectWireShape(t, "SessionTypeResponse"));
    await expectHallpassError(hallpass.sessionTypes.fetch("no-such-type"), "session_type_not_found", 404);
  });

  it("delete refuses while sessions are active, force revokes them; the tag can be created again", async () => {
    const session = await hallpass.sessions.start({
      tag: "session_name",
      data: { userId: "u-2", details: { username: "other", email: "o@example.com" } },
      identifier: "u-2",
    });
    await expectHallpassError(hallpass.sessionTypes.delete("session_name"), "conflict", 409);
    const deleted = await hallpass.sessionTypes.delete("session_name", { force: true });
    expectWireShape(deleted, "Deleted");
    expect(deleted).toEqual({ deleted: true });
    await expectHallpassError(hallpass.sessionTypes.fetch("session_name"), "session_type_not_found", 404);

    const recreated = await hallpass.sessionTypes.create(details);
    expect(recreated.expiry).toBe(7);
    await expectHallpassError(hallpass.sessions.verify({ tag: "session_name", token: session.token }), "session_revoked", 401);

    // Without sessions, no force is needed.
    expect(await hallpass.sessionTypes.delete("session_name")).toEqual({ deleted: true });
    await expectHallpassError(hallpass.sessionTypes.delete("session_name"), "session_type_not_found", 404);
  });

  it("sends product/env as query parameters on GET and DELETE, in the body on POST and PATCH", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.productKey, product: "demo", env: "dev", fetch: counting.fetch });
    await hp.sessionTypes.create({ ...details, tag: "scoped-type" });
    await hp.sessionTypes.update("scoped-type", { expiry: 2 });
    await hp.sessionTypes.fetch("scoped-type");
    await hp.sessionTypes.fetchAll({ product: "demo" });
    await hp.sessionTypes.delete("scoped-type", { force: true });
    const seen = counting.sent.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`);
    expect(seen).toEqual([
      "POST /v1/session-types",
      "PATCH /v1/session-types/scoped-type",
      "GET /v1/session-types/scoped-type?product=demo&env=dev",
      "GET /v1/session-types?product=demo&env=dev",
      "DELETE /v1/session-types/scoped-type?product=demo&env=dev&force=true",
    ]);
    expect(counting.sent[0]?.body).toMatchObject({ tag: "scoped-type", product: "demo", env: "dev" });
    expect(counting.sent[1]?.body).toEqual({ expiry: 2, product: "demo", env: "dev" });
    expect(counting.sent.every((r) => r.headers.Authorization === `Bearer ${server.productKey}`)).toBe(true);

    await expectHallpassError(hp.sessionTypes.fetchAll({ product: "other" }), "scope_forbidden", 403);
  });

  it("refuses an empty tag before sending", async () => {
    const counting = countingFetch();
    const hp = new Hallpass({ url: server.url, accessKey: server.accessKey, fetch: counting.fetch });
    await expectHallpassError(hp.sessionTypes.fetch(""), "invalid_request", 422);
    await expectHallpassError(hp.sessionTypes.delete(""), "invalid_request", 422);
    expect(counting.sent).toHaveLength(0);
  });
});
