// @hallpass/client: the TypeScript client of the hallpass session service.
export { Hallpass } from "./client.js";
export type { HallpassOptions, HallpassSessions, HallpassSessionTypes } from "./client.js";
export { HallpassError } from "./errors.js";
export type { FetchLike } from "./transport.js";
export { hashRefreshToken } from "./refresh.js";
export type { LockManagerLike, RefreshCoordinationOptions, SessionRefreshedEvent, SessionRefreshedListener } from "./refresh.js";
export type * from "./types.js";
export type { components as HallpassComponents, paths as HallpassPaths, operations as HallpassOperations } from "./generated/openapi.js";
