-- GET / with X-Client-ID drawn from a Zipf(1.0) distribution over WRK_CLIENTS ids (default 500),
-- each connection waiting an exponential think time with mean WRK_PAUSE_MS (default 10 ms), so the
-- edge sees a few heavy clients and a long tail, as real APIs do. Seeded from WRK_SEED and the
-- thread's index, so a run's choices are the same every time.
local clients = tonumber(os.getenv("WRK_CLIENTS") or "500")
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "10")
local threads = 0
local cdf = {}

setup = function(thread)
  threads = threads + 1
  thread:set("index", threads)
end

init = function(args)
  math.randomseed(tonumber(os.getenv("WRK_SEED") or "42") * 1000 + (index or 0))
  local sum = 0
  for k = 1, clients do
    sum = sum + 1 / k
    cdf[k] = sum
  end
  for k = 1, clients do
    cdf[k] = cdf[k] / sum
  end
end

local function client()
  local u = math.random()
  local lo, hi = 1, clients
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

request = function()
  return wrk.format("GET", "/", { ["X-Client-ID"] = "client-" .. client() })
end

delay = function()
  return math.floor(-math.log(1 - math.random()) * pause + 0.5)
end
