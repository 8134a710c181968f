-- wrk script: POST /echo on `hallpass-bench echo` with a 500-byte JSON body (the HTTP ceiling).
--   HALLPASS_KEY=- wrk -t1 -c16 -d10s --latency -s bench/wrk/echo.lua http://127.0.0.1:PORT/echo

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local filler = string.rep("x", 455)
wrk.body = '{"tag":"user-session","token":"' .. filler .. '","n":1234567}'
