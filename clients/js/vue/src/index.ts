// @hallpass/vue: Vue 3 composables for the hallpass session service (those of `@ductape/vue`,
// docs/API.md §11.4), over @hallpass/client.
export { createHallpass, useHallpass, HallpassKey } from "./plugin.js";
export type { HallpassContext, HallpassPlugin } from "./plugin.js";
export {
  useSessionStart,
  useSessionVerify,
  useSessionRefresh,
  useSessionRevoke,
  useSessionRevokeAll,
  useSessionList,
  useSessionUpdate,
  useSessionUpdateAll,
  useSessionReauthenticate,
} from "./sessions.js";
export type {
  UseSessionStartOptions,
  UseSessionStartReturn,
  UseSessionVerifyOptions,
  UseSessionVerifyReturn,
  UseSessionRefreshOptions,
  UseSessionRefreshReturn,
  UseSessionRevokeOptions,
  UseSessionRevokeReturn,
  UseSessionRevokeAllOptions,
  UseSessionRevokeAllReturn,
  UseSessionListOptions,
  UseSessionListReturn,
  UseSessionUpdateOptions,
  UseSessionUpdateReturn,
  UseSessionUpdateAllOptions,
  UseSessionUpdateAllReturn,
  UseSessionReauthenticateOptions,
  UseSessionReauthenticateReturn,
} from "./sessions.js";
export { useSessionAutoRefresh, DEFAULT_REFRESH_BEFORE } from "./autoRefresh.js";
export type { UseSessionAutoRefreshOptions, UseSessionAutoRefreshReturn } from "./autoRefresh.js";
export {
  createHallpassBrowser,
  HallpassBrowserKey,
  useSession,
  useSignOut,
  useBrowserSessions,
  useRevokeBrowserSession,
} from "./browser.js";
export type {
  HallpassBrowserPlugin,
  UseSessionReturn,
  UseSignOutOptions,
  UseSignOutReturn,
  UseBrowserSessionsOptions,
  UseBrowserSessionsReturn,
  UseRevokeBrowserSessionOptions,
  UseRevokeBrowserSessionReturn,
} from "./browser.js";
export { createBrowserClient } from "@hallpass/client/browser";
export type {
  BrowserClient,
  BrowserClientOptions,
  BrowserResult,
  BrowserSession,
  BrowserSessionInfo,
  BrowserSessionItem,
  BrowserSessionList,
  BrowserSessionState,
  BrowserRefreshResult,
} from "@hallpass/client/browser";
export type { MutationCallbacks, MutationOptions, MutationReturn } from "./mutation.js";
export type { SessionTracker, TrackedSession, TrackerEvent } from "./tracker.js";
// The client's names, so an app needs one import.
export { Hallpass, HallpassError, hashRefreshToken } from "@hallpass/client";
export type {
  HallpassOptions,
  SessionRefreshedEvent,
  SessionData,
  SessionStartInput,
  SessionStartResult,
  SessionVerifyInput,
  SessionVerifyResult,
  SessionRefreshInput,
  SessionRefreshResult,
  SessionRevokeInput,
  SessionRevokeResult,
  SessionRevokeAllInput,
  SessionRevokeAllResult,
  SessionListInput,
  SessionListItem,
  SessionListResult,
  SessionDataPatch,
  SessionUpdateInput,
  SessionUpdateResult,
  SessionUpdateAllInput,
  SessionUpdateAllResult,
  SessionReauthenticateInput,
  SessionReauthenticateResult,
  SessionVerifyOrRefreshInput,
  SessionVerifyOrRefreshResult,
} from "@hallpass/client";
