// @hallpass/client: the TypeScript client of the hallpass session service.
export { Hallpass } from "./client.js";
export { HallpassError } from "./errors.js";
export { hashRefreshToken } from "./refresh.js";
//# sourceMappingURL=index.js.map