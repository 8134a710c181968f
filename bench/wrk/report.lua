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
