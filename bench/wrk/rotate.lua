-- GET / with X-Client-ID rotating over 10,000 client ids (proxies and nginx's direct answer).
local n = 0
local ids = 10000
request = function()
  n = n + 1
  return wrk.format("GET", "/", { ["X-Client-ID"] = "client-" .. (n % ids) })
end
