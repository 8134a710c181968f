-- wrk script: GET /v1/forward-auth with one session token in X-Hallpass-Session, again and
-- again, as a reverse proxy checks each request of a session (no API key: HALLPASS_KEY=-).
--   HALLPASS_KEY=- HALLPASS_TOKEN=eyJ... wrk -t1 -c16 -d10s --latency -s bench/wrk/forward-auth.lua \
--     'http://127.0.0.1:8420/v1/forward-auth?product=demo&env=dev&tag=user-session'

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local token = os.getenv("HALLPASS_TOKEN")
if not token or token == "" then
  error("HALLPASS_TOKEN (a session token) is not set")
end
wrk.method = "GET"
wrk.body = nil
wrk.headers["Content-Type"] = nil
wrk.headers["Authorization"] = nil
wrk.headers["X-Hallpass-Session"] = token
