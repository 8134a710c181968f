-- wrk script: POST /v1/sessions/refresh, every request with a refresh token never used before.
--   HALLPASS_KEY=hp_sk_... wrk -t1 -c16 -d10s --latency -s bench/wrk/refresh.lua \
--     http://127.0.0.1:8420/v1/sessions/refresh -- TOKENS_FILE THREADS
-- TOKENS_FILE holds one refresh token a line (`hallpass-bench pool` writes it); THREADS is the
-- -t value. Thread i uses the lines i, i + THREADS, ... once each. Should they run out, a
-- thread goes on with the new refresh tokens its own answers return (each used once too), and
-- the summary says how many requests did.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local pool, taken, chained, chained_used = {}, 0, {}, 0

function init(args)
  pool = thread_share(args[1], tonumber(args[2] or "1"))
end

local function body(token)
  return '{"tag":"user-session","refreshToken":"' .. token .. '"}'
end

function request()
  local token
  if taken < #pool then
    taken = taken + 1
    token = pool[taken]
  elseif #chained > 0 then
    token = table.remove(chained)
    chained_used = chained_used + 1
    chained_count = chained_used
  else
    token = "hp_rt_pool_exhausted"
  end
  return wrk.format(nil, nil, nil, body(token))
end

function response(status, headers, answer)
  if status == 200 then
    local token = answer:match('"refreshToken":"([^"]+)"')
    if token then
      chained[#chained + 1] = token
    end
  end
end

local report = done
function done(summary, latency, requests)
  report_notes[#report_notes + 1] =
    string.format("%d tokens from answers", thread_total("chained_count"))
  report(summary, latency, requests)
end
