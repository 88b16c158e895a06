-- GET /api/leads/:id for random existing leads (BENCH_IDS), with BENCH_TOKEN.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local ids, headers = common.ids(), common.headers()
setup, init, done = common.setup, common.init, common.done

request = function()
  return wrk.format("GET", "/api/leads/" .. ids[math.random(#ids)], headers)
end
