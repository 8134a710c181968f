-- wrk script: GET better-auth's /api/auth/get-session with a session cookie (the peer run of
-- bench/run.sh verify).
--   BETTER_AUTH_COOKIE='better-auth.session_token=...' wrk -t1 -c16 -d10s --latency \
--     -s bench/wrk/get-session.lua http://127.0.0.1:PORT/api/auth/get-session

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

wrk.method = "GET"
wrk.body = nil
wrk.headers["Authorization"] = nil
wrk.headers["Content-Type"] = nil
wrk.headers["Cookie"] = os.getenv("BETTER_AUTH_COOKIE") or error("BETTER_AUTH_COOKIE is not set")
