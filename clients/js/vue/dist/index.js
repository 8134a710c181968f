// @hallpass/vue: Vue 3 composables for the hallpass session service (those of `@ductape/vue`,
// docs/API.md §11.4), over @hallpass/client.
export { createHallpass, useHallpass, HallpassKey } from "./plugin.js";
export { useSessionStart, useSessionVerify, useSessionRefresh, useSessionRevoke, useSessionRevokeAll, useSessionList, useSessionUpdate, useSessionUpdateAll, useSessionReauthenticate, } from "./sessions.js";
export { useSessionAutoRefresh, DEFAULT_REFRESH_BEFORE } from "./autoRefresh.js";
export { createHallpassBrowser, HallpassBrowserKey, useSession, useSignOut, useBrowserSessions, useRevokeBrowserSession, } from "./browser.js";
export { createBrowserClient } from "@hallpass/client/browser";
// The client's names, so an app needs one import.
export { Hallpass, HallpassError, hashRefreshToken } from "@hallpass/client";
//# sourceMappingURL=index.js.map