-- wrk script: POST /v1/sessions/verify with one token, again and again (a session's requests).
--   HALLPASS_KEY=hp_sk_... HALLPASS_TOKEN=eyJ... wrk -t1 -c16 -d10s --latency \
--     -s bench/wrk/verify-hot.lua http://127.0.0.1:8420/v1/sessions/verify

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local token = os.getenv("HALLPASS_TOKEN")
if not token or token == "" then
  error("HALLPASS_TOKEN (a session token) is not set")
end
wrk.body = '{"tag":"user-session","token":"' .. token .. '"}'
