-- 70 % GET /api/leads/:id, 20 % GET /api/leads?limit=20, 10 % POST /api/leads, with BENCH_TOKEN
-- (a MANAGER in bench/http.sh) and random existing leads (BENCH_IDS).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local ids, headers = common.ids(), common.headers()
local post_headers = common.headers({ ["Content-Type"] = "application/json" })
setup, init, done = common.setup, common.init, common.done

local n = 0
request = function()
  local r = math.random(100)
  if r <= 70 then
    return wrk.format("GET", "/api/leads/" .. ids[math.random(#ids)], headers)
  elseif r <= 90 then
    return wrk.format("GET", "/api/leads?limit=20", headers)
  end
  n = n + 1
  local body = string.format('{"title":"bench mix lead %d-%d","source":"web"}', thread_number or 0, n)
  return wrk.format("POST", "/api/leads", post_headers, body)
end
