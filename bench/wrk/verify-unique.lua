-- wrk script: POST /v1/sessions/verify, every request with a token never verified before.
--   HALLPASS_KEY=hp_sk_... wrk -t1 -c16 -d5s --latency -s bench/wrk/verify-unique.lua \
--     http://127.0.0.1:8420/v1/sessions/verify -- TOKENS_FILE THREADS
-- TOKENS_FILE holds one session token a line (`hallpass-bench pool --session-tokens`); THREADS
-- is the -t value. Thread i uses the lines i, i + THREADS, ... once each; should they run out,
-- it starts over (those requests then hit the verification cache) and the summary says how
-- many did.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local pool, taken = {}, 0

function init(args)
  for _, token in ipairs(thread_share(args[1], tonumber(args[2] or "1"))) do
    pool[#pool + 1] = '{"tag":"user-session","token":"' .. token .. '"}'
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
    string.format("%d tokens seen before", thread_total("repeated"))
  report(summary, latency, requests)
end
