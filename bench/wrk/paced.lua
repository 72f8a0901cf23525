-- GET / with rotating X-Client-ID and a fixed pause before each request on every connection
-- (wrk's delay hook), so c connections make about c / (pause + latency) requests per second: a
-- steady offered load below saturation. The pause in ms comes from WRK_PAUSE_MS (default 5).
local n = 0
local ids = 10000
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "5")
request = function()
  n = n + 1
  return wrk.format("GET", "/", { ["X-Client-ID"] = "client-" .. (n % ids) })
end
delay = function()
  return pause
end
