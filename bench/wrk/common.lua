-- Shared by the wrk scenarios of bench/http.sh. Environment:
--   BENCH_TOKEN  the bearer access token to send (log in first)
--   BENCH_IDS    a file of existing lead ids, one per line (crm_seed --ids-out writes one)
-- Every scenario prints one machine-readable line when done:
--   wrk_result requests=N rps=X p50_ms=Y p99_ms=Z non2xx=E timeouts=T socket_errors=S
local M = {}

function M.headers(extra)
  local token = os.getenv("BENCH_TOKEN")
  assert(token and token ~= "", "BENCH_TOKEN is not set")
  local h = { ["Authorization"] = "Bearer " .. token }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function M.ids()
  local path = os.getenv("BENCH_IDS")
  assert(path and path ~= "", "BENCH_IDS is not set")
  local ids = {}
  for line in io.lines(path) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  assert(#ids > 0, "no lead ids in " .. path)
  return ids
end

-- Each thread gets its own random sequence.
local counter = 0
function M.setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function M.init()
  math.randomseed(os.time() * 1000 + (thread_number or 0))
end

function M.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "wrk_result requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d timeouts=%d socket_errors=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.timeout, e.connect + e.read + e.write))
end

return M
