// Compile-time checks (npm run typecheck): the composables are typed generically over the
// session data, and the `@ductape/vue` documentation's "Type Safety" example compiles as written.
import type {
  HallpassError,
  SessionDataPatch,
  SessionReauthenticateResult,
  SessionStartResult,
  SessionUpdateAllResult,
  SessionUpdateResult,
  SessionVerifyResult,
} from "@hallpass/client";
import { describe, expectTypeOf, test } from "vitest";
import { createApp, type Ref } from "vue";
import {
  createHallpass,
  useSessionAutoRefresh,
  useSessionRefresh,
  useSessionList,
  useSessionStart,
  useSessionVerify,
  type UseSessionReauthenticateReturn,
  type UseSessionStartReturn,
  type UseSessionUpdateAllReturn,
  type UseSessionUpdateReturn,
  type UseSessionVerifyReturn,
} from "../src/index.js";

interface UserSessionData {
  userId: string;
  email: string;
  role: "user" | "admin";
  permissions?: string[];
}

// The `@ductape/vue` documentation's example "Type Safety" (the script of the example, as a function so it only compiles).
function typeSafetyExample() {
  const { mutate: startSession } = useSessionStart({
    onSuccess: (result) => {
      // TypeScript knows result structure
      console.log(result.token);
      console.log(result.refreshToken);
      console.log(result.sessionId);
    },
  });

  const { mutate: verifySession, data } = useSessionVerify({
    onSuccess: (result) => {
      // Access encrypted data
      const userData = result.data as UserSessionData;
      console.log(userData.userId);
      console.log(userData.role);
    },
  });

  // Start session with typed data
  const handleStart = () => {
    startSession({
      tag: "user-session",
      data: {
        userId: "123",
        email: "user@example.com",
        role: "admin",
        permissions: ["users.manage"],
      } as UserSessionData,
      identifier: "123",
    });
  };
  return { verifySession, data, handleStart };
}

// The example of createHallpass's doc comment (src/plugin.ts) and of the README, as written.
function pluginDocExample() {
  const app = createApp({});
  app.use(createHallpass({ url: "https://sessions.example.com", accessKey: process.env.HALLPASS_KEY! }));
  app.use(createHallpass({ url: "https://sessions.example.com", accessKey: process.env.HALLPASS_ACCESS_KEY! }));
}

// The `@ductape/vue` documentation passes localStorage.getItem(...) (string | null) straight to useSessionRefresh.
function nullableRefreshToken() {
  const { mutate: refreshSession } = useSessionRefresh();
  return () => refreshSession({ tag: "user-session", refreshToken: localStorage.getItem("refreshToken") });
}

describe("types", () => {
  test("the plugin's doc example and a refresh token from localStorage compile", () => {
    expectTypeOf(pluginDocExample).returns.toBeVoid();
    expectTypeOf(nullableRefreshToken).returns.toBeFunction();
  });

  test("useSessionVerify<TData> types data.data; the default reads any key (the documented example reads data.data.userId)", () => {
    expectTypeOf<UseSessionVerifyReturn<UserSessionData>["data"]>().toEqualTypeOf<Ref<SessionVerifyResult<UserSessionData> | null>>();
    expectTypeOf<NonNullable<UseSessionVerifyReturn["data"]["value"]>["data"]["userId"]>().toBeAny();
    expectTypeOf<UseSessionVerifyReturn["error"]>().toEqualTypeOf<Ref<HallpassError | null>>();
    expectTypeOf<UseSessionVerifyReturn["isLoading"]>().toEqualTypeOf<Ref<boolean>>();
  });

  test("useSessionStart<TData> checks the data it is given; mutate resolves to the result or undefined", () => {
    type Start = UseSessionStartReturn<UserSessionData>;
    expectTypeOf<Parameters<Start["mutate"]>[0]["data"]>().toEqualTypeOf<UserSessionData>();
    expectTypeOf<ReturnType<Start["mutate"]>>().toEqualTypeOf<Promise<SessionStartResult | undefined>>();
    expectTypeOf<ReturnType<Start["mutateAsync"]>>().toEqualTypeOf<Promise<SessionStartResult>>();
    expectTypeOf(typeSafetyExample).returns.toHaveProperty("handleStart");
  });

  test("the lifecycle composables have the same shape, typed over the session data", () => {
    type Update = UseSessionUpdateReturn<UserSessionData>;
    expectTypeOf<Update["data"]>().toEqualTypeOf<Ref<SessionUpdateResult<UserSessionData> | null>>();
    expectTypeOf<Parameters<Update["mutate"]>[0]["data"]>().toEqualTypeOf<SessionDataPatch<UserSessionData>>();
    expectTypeOf<ReturnType<Update["mutate"]>>().toEqualTypeOf<Promise<SessionUpdateResult<UserSessionData> | undefined>>();
    expectTypeOf<Update["error"]>().toEqualTypeOf<Ref<HallpassError | null>>();
    expectTypeOf<UseSessionUpdateAllReturn["data"]>().toEqualTypeOf<Ref<SessionUpdateAllResult | null>>();
    expectTypeOf<UseSessionReauthenticateReturn<UserSessionData>["data"]>().toEqualTypeOf<Ref<SessionReauthenticateResult<UserSessionData> | null>>();
    expectTypeOf<Parameters<UseSessionReauthenticateReturn["mutate"]>[0]["amr"]>().toEqualTypeOf<string[] | null | undefined>();
    expectTypeOf<Parameters<UseSessionVerifyReturn["mutate"]>[0]["maxAuthAge"]>().toEqualTypeOf<number | null | undefined>();
  });

  test("callbacks receive (result, input) and (error, input)", () => {
    expectTypeOf(useSessionList).parameter(0).exclude<undefined>().toHaveProperty("onError");
    type ListOptions = NonNullable<Parameters<typeof useSessionList>[0]>;
    expectTypeOf<Parameters<NonNullable<ListOptions["onError"]>>>().toEqualTypeOf<[HallpassError, Parameters<ReturnType<typeof useSessionList>["mutate"]>[0]]>();
  });

  test("useSessionAutoRefresh takes a string, a Ref or a getter as refreshToken", () => {
    type Options = Parameters<typeof useSessionAutoRefresh>[0];
    expectTypeOf<string>().toMatchTypeOf<Options["refreshToken"]>();
    expectTypeOf<Ref<string>>().toMatchTypeOf<Options["refreshToken"]>();
    expectTypeOf<() => string | null>().toMatchTypeOf<Options["refreshToken"]>();
    expectTypeOf<ReturnType<typeof useSessionAutoRefresh>["currentToken"]>().toEqualTypeOf<Ref<string | null>>();
  });
});
