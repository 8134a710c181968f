// Compile-time checks of the public types (run by `npm run typecheck`; the runtime part is trivial).
import { describe, expectTypeOf, it } from "vitest";
import {
  Hallpass,
  type FetchLike,
  type HallpassComponents,
  type HallpassOptions,
  type ISessionListResult,
  type ISessionStartInput,
  type ISessionRefreshInput,
  type ISessionRefreshResult,
  type ISessionStartResult,
  type ISessionType,
  type ISessionReauthenticateInput,
  type ISessionUpdateAllInput,
  type ISessionUpdateAllResult,
  type ISessionUpdateInput,
  type ISessionUpdateResult,
  type ISessionVerifyInput,
  type ISessionVerifyOrRefreshInput,
  type ISessionVerifyOrRefreshResult,
  type ISessionVerifyResult,
  type SessionDataPatch,
  type SessionUpdateResult,
  type LockManagerLike,
  type SessionRefreshedEvent,
  type SessionStartResult,
  type SessionVerifyResult,
} from "../src/index.js";

type Schemas = HallpassComponents["schemas"];

describe("public types", () => {
  it("are the generated OpenAPI types, with data generic", () => {
    expectTypeOf<ISessionStartResult>().toEqualTypeOf<Schemas["IssuedResponse"]>();
    expectTypeOf<SessionStartResult>().toEqualTypeOf<ISessionStartResult>();
    // The wire type, except that the token may be null (the documented examples pass localStorage.getItem()).
    expectTypeOf<Omit<ISessionVerifyInput, "token">>().toEqualTypeOf<Omit<Schemas["VerifyRequest"], "token">>();
    expectTypeOf<ISessionVerifyInput["token"]>().toEqualTypeOf<string | null>();
    expectTypeOf<ISessionRefreshInput["refreshToken"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Schemas["VerifyRequest"]>().toExtend<ISessionVerifyInput>();
    expectTypeOf<ISessionListResult>().toEqualTypeOf<Schemas["ListResponse"]>();
    expectTypeOf<ISessionVerifyResult<{ userId: string }>["data"]>().toEqualTypeOf<{ userId: string }>();
    expectTypeOf<SessionVerifyResult["sessionId"]>().toEqualTypeOf<string>();
    expectTypeOf<ISessionType["schema"]>().toEqualTypeOf<{ [key: string]: unknown } | null | undefined>();
    expectTypeOf<ISessionStartInput<{ a: number }>["data"]>().toEqualTypeOf<{ a: number }>();
  });

  it("the lifecycle types are the generated ones, with data generic (a patch of it in updates)", () => {
    expectTypeOf<ISessionUpdateAllResult>().toEqualTypeOf<Schemas["UpdateAllResponse"]>();
    expectTypeOf<ISessionReauthenticateInput>().toEqualTypeOf<Schemas["ReauthenticateRequest"]>();
    expectTypeOf<Omit<ISessionUpdateInput, "data">>().toEqualTypeOf<Omit<Schemas["UpdateRequest"], "data">>();
    expectTypeOf<Omit<ISessionUpdateAllInput, "data">>().toEqualTypeOf<Omit<Schemas["UpdateAllRequest"], "data">>();
    expectTypeOf<Omit<ISessionUpdateResult, "data">>().toEqualTypeOf<Omit<Schemas["UpdateResponse"], "data">>();
    expectTypeOf<SessionUpdateResult<{ role: string }>["data"]>().toEqualTypeOf<{ role: string }>();
    expectTypeOf<ISessionUpdateInput<{ userId: string; role: string }>["data"]>().toEqualTypeOf<SessionDataPatch<{ userId: string; role: string }>>();
    expectTypeOf<SessionDataPatch<{ role: string }>>().toEqualTypeOf<{ role?: string | null }>();
    expectTypeOf<ISessionVerifyInput["maxAuthAge"]>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<ISessionVerifyResult["authenticatedAt"]>().toEqualTypeOf<string>();
    expectTypeOf<ISessionVerifyOrRefreshInput["refreshToken"]>().toEqualTypeOf<string | null>();
    expectTypeOf<ISessionVerifyOrRefreshResult["refreshed"]>().toEqualTypeOf<ISessionRefreshResult | null>();
    expectTypeOf<ISessionVerifyOrRefreshResult<{ role: string }>["data"]>().toEqualTypeOf<{ role: string }>();
    expectTypeOf<ISessionStartInput["amr"]>().toEqualTypeOf<string[] | null | undefined>();
    // An update of typed data is checked key by key.
    const update = (hp: Hallpass) => hp.sessions.update<{ userId: string; role: "user" | "admin" }>({ tag: "t", sessionId: "s", data: { role: "admin" } });
    expectTypeOf(update).returns.resolves.toHaveProperty("data").toEqualTypeOf<{ userId: string; role: "user" | "admin" }>();
  });

  it("session data may be an interface (no index signature needed)", () => {
    interface UserSessionData {
      userId: string;
      role: "user" | "admin";
    }
    const start = (hp: Hallpass) => hp.sessions.start<UserSessionData>({ tag: "t", data: { userId: "u", role: "user" } });
    expectTypeOf(start).returns.resolves.toEqualTypeOf<ISessionStartResult>();
    const verify = (hp: Hallpass) => hp.sessions.verify<UserSessionData>({ tag: "t", token: "x" });
    expectTypeOf(verify).returns.resolves.toHaveProperty("data").toEqualTypeOf<UserSessionData>();
  });

  it("the documented sessions examples compile as written: tokens straight from localStorage (string | null)", () => {
    const documented = async (hp: Hallpass, storage: Pick<Storage, "getItem">) => {
      const token = storage.getItem("ductape_token");
      const result = await hp.sessions.verify({ tag: "user-session", token: token });
      const refreshToken = storage.getItem("ductape_refresh");
      const refreshed = await hp.sessions.refresh({ tag: "user-session", refreshToken: refreshToken });
      return [result.data.userId, refreshed.refreshToken] as const;
    };
    expectTypeOf(documented).returns.resolves.toEqualTypeOf<readonly [any, string]>();
  });

  it("onRefreshed gets { tag, previousTokenHash, result, source } and answers an unsubscribe", () => {
    const subscribe = (hp: Hallpass) =>
      hp.sessions.onRefreshed((event) => {
        expectTypeOf(event).toEqualTypeOf<SessionRefreshedEvent>();
        expectTypeOf(event.previousTokenHash).toEqualTypeOf<string>();
        expectTypeOf(event.result).toEqualTypeOf<ISessionRefreshResult>();
      });
    expectTypeOf(subscribe).returns.toEqualTypeOf<() => void>();
  });

  it("options take exactly one key; the global fetch and navigator.locks fit", () => {
    expectTypeOf<{ url: string; accessKey: string }>().toExtend<HallpassOptions>();
    expectTypeOf<{ url: string; publishableKey: string }>().toExtend<HallpassOptions>();
    expectTypeOf<{ url: string; accessKey: string; publishableKey: string }>().not.toExtend<HallpassOptions>();
    expectTypeOf<{ url: string }>().not.toExtend<HallpassOptions>();
    expectTypeOf<typeof fetch>().toExtend<FetchLike>();
    expectTypeOf<LockManager>().toExtend<LockManagerLike>();
  });
});
