-- GET / with rotating X-Client-ID, each connection waiting a random think time before every
-- request: exponentially distributed with mean WRK_PAUSE_MS (default 5 ms), so c connections make
-- about c / (pause + latency) requests per second and the arrivals at the server are close to a
-- Poisson stream. A fixed pause would keep the connections in lockstep (all answered together,
-- all sending together after the same pause), and the proxy would then see bursts of up to c
-- requests at once instead of the steady half load the test is about.
-- Each wrk thread draws from its own generator, seeded from WRK_SEED (default 42) and the thread's
-- index, so a run's think times are the same every time.
local n = 0
local ids = 10000
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "5")
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("index", threads)
end

init = function(args)
  math.randomseed(tonumber(os.getenv("WRK_SEED") or "42") * 1000 + (index or 0))
end

request = function()
  n = n + 1
  return wrk.format("GET", "/", { ["X-Client-ID"] = "client-" .. (n % ids) })
end

delay = function()
  return math.floor(-math.log(1 - math.random()) * pause + 0.5)
end

done = function(summary, latency, requests)
  io.write(string.format("tail p99.9 %.2fms max %.2fms\n", latency:percentile(99.9) / 1000,
    latency.max / 1000))
end
