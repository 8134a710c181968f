-- wrk script: POST /v1/sessions/start with one fixed body (the --dev session type).
--   HALLPASS_KEY=hp_sk_... wrk -t1 -c16 -d10s --latency -s bench/wrk/start.lua \
--     http://127.0.0.1:8420/v1/sessions/start

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

wrk.body = '{"tag":"user-session","data":{"userId":"user-123","email":"user@example.com"}}'
