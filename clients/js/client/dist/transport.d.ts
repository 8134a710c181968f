/** The `fetch` the client calls; the global `fetch` of Node 18+ and browsers fits. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
/** A query string's values; `undefined` and `null` ones are left out. */
export type Query = Record<string, string | number | boolean | null | undefined>;
export interface TransportOptions {
    baseUrl: string;
    /** The API key sent as `Authorization: Bearer`; none for the browser routes (cookies only). */
    key?: string;
    fetch: FetchLike;
    timeoutMs: number;
    /** `fetch`'s `credentials`: `"include"` for the browser routes, whose cookies authenticate. */
    credentials?: RequestCredentials;
}
export declare class Transport {
    #private;
    readonly timeoutMs: number;
    constructor(options: TransportOptions);
    /** Sends one request and answers its JSON body; every failure is a HallpassError. */
    send<T>(method: string, path: string, request?: {
        query?: Query;
        body?: unknown;
        headers?: Record<string, string>;
    }): Promise<T>;
}
//# sourceMappingURL=transport.d.ts.map