-- GET /api/leads?limit=20: the first page, newest first, with the total. Whose leads depends on
-- BENCH_TOKEN: a MANAGER sees every lead, a SALES user their own.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local headers = common.headers()
setup, init, done = common.setup, common.init, common.done

request = function()
  return wrk.format("GET", "/api/leads?limit=20", headers)
end
