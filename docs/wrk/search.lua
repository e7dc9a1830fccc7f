-- Drives the search page with realistic queries, for docs/performance.md:
--
--   PATCHWORK_COOKIE='patchwork_session=…' PATCHWORK_QUERIES=/tmp/queries.txt \
--     wrk -t2 -c4 -d30s --latency -s docs/wrk/search.lua http://127.0.0.1:8080
--
-- PATCHWORK_QUERIES is a file of queries, one per line, such as
-- `patchwork search-eval --write-queries` writes. PATCHWORK_SCOPE is
-- local (the default, as the search page opens), district or network.

local queries = {}
for line in io.lines(os.getenv("PATCHWORK_QUERIES")) do
  queries[#queries + 1] = line
end
local cookie = os.getenv("PATCHWORK_COOKIE")
local scope = os.getenv("PATCHWORK_SCOPE") or "local"
local i = 0

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  -- Each thread starts at a different place in the list.
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  i = math.random(#queries)
end

function request()
  i = i % #queries + 1
  return wrk.format("GET", "/search?scope=" .. scope .. "&q=" .. urlencode(queries[i]), { ["Cookie"] = cookie })
end

function done(summary, latency, requests)
  io.write(string.format("p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, %d requests, %d errors\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
