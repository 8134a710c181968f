// The console's calls: the same API any client uses, authenticated by the console cookie
// (httpOnly, so this page never sees it), with the sign-in's CSRF token on every change.

let csrfToken = "";

/** An answer of the server that is not a success: its stable code, status and message. */
export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** Remembers the CSRF token of the sign-in, from its answer. */
export function signedIn(session) {
  csrfToken = session ? session.csrfToken : "";
  return session;
}

/** Calls `method path` with a JSON body; answers the parsed body (null for 204). */
export async function call(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-hallpass-csrf"] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      // Always what the server holds now (the JWKS, say, is cacheable for others).
      cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "network_error", `the server could not be reached: ${e.message}`);
  }
  const text = await response.text();
  const parsed = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = parsed && parsed.error ? parsed.error : {};
    throw new ApiError(
      response.status,
      error.code || "http_error",
      error.message || `the server answered ${response.status}`,
      parsed,
    );
  }
  return parsed;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Query string of the defined values of `params`. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
