-- POST /api/leads: a new lead owned by the caller (BENCH_TOKEN).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local headers = common.headers({ ["Content-Type"] = "application/json" })
setup, init, done = common.setup, common.init, common.done

local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"title":"bench lead %d-%d","description":"created by the benchmark","status":"NEW","source":"web","metadata":{"k":1}}',
    thread_number or 0, n)
  return wrk.format("POST", "/api/leads", headers, body)
end
