-- Shared by the wrk scripts of bench/run.sh: the access key header and, when the run is
-- over, one SUMMARY line (requests/s, p50, p99, max, errors) for the script's table.
-- BENCH_NAME and BENCH_BACKEND name the row; HALLPASS_KEY is the access key.

local key = os.getenv("HALLPASS_KEY")
if not key or key == "" then
  error("HALLPASS_KEY (an access key, hp_sk_...) is not set")
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key

local function ms(us)
  return string.format("%.2f ms", us / 1000)
end

-- Lines to add after the numbers (set by the script that loads this file).
report_notes = {}

-- Every thread, numbered from 0 in its `id`, for the scripts that split a file of tokens
-- between threads and add up a per-thread count when the run is over.
local threads, next_id = {}, 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- The sum over threads of the global `name` (in done()).
function thread_total(name)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get(name) or 0)
  end
  return total
end

-- This thread's share of a file's lines: lines id, id + count, ... (in init()).
function thread_share(file, count)
  local share, line = {}, 0
  for text in io.lines(file) do
    if line % count == id then
      share[#share + 1] = text
    end
    line = line + 1
  end
  return share
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  local notes = table.concat(report_notes, ", ")
  if notes ~= "" then
    notes = ", " .. notes
  end
  io.write(string.format(
    "SUMMARY|%s|%s|%d requests, %d s|%.0f|%s|%s|%s|%d errors (%d non-2xx)%s\n",
    os.getenv("BENCH_NAME") or "wrk", os.getenv("BENCH_BACKEND") or "-",
    summary.requests, math.floor(seconds + 0.5), summary.requests / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(99)), ms(latency.max),
    errors, e.status, notes))
end
