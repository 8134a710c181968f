-- wrk script: POST /v1/sessions/revoke, every request ending a session still active.
--   HALLPASS_KEY=hp_sk_... wrk -t1 -c16 -d10s --latency -s bench/wrk/revoke.lua \
--     http://127.0.0.1:8420/v1/sessions/revoke -- IDS_FILE THREADS
-- IDS_FILE holds one session id a line (`hallpass-bench pool --session-ids` writes it); THREADS
-- is the -t value. Thread i uses the lines i, i + THREADS, ... once each. Should they run out,
-- a thread starts over (those revokes answer {"revoked": false}, a session already ended, and
-- change nothing), and the summary says how many requests did.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local pool, taken = {}, 0

function init(args)
  for _, id in ipairs(thread_share(args[1], tonumber(args[2] or "1"))) do
    pool[#pool + 1] = '{"tag":"user-session","sessionId":"' .. id .. '"}'
  end
  if #pool == 0 then
    error("no session ids for this thread in " .. args[1])
  end
end

function request()
  taken = taken + 1
  repeated = math.max(0, taken - #pool)
  return wrk.format(nil, nil, nil, pool[(taken - 1) % #pool + 1])
end

local report = done
function done(summary, latency, requests)
  report_notes[#report_notes + 1] =
    string.format("%d ids revoked before", thread_total("repeated"))
  report(summary, latency, requests)
end
