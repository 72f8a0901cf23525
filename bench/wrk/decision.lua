-- POST /v1/decisions, one decision per request, keys rotating over 10,000 client ids.
local n = 0
local ids = 10000
local headers = { ["Content-Type"] = "application/json" }
request = function()
  n = n + 1
  return wrk.format("POST", "/v1/decisions", headers, '{"key":"client-' .. (n % ids) .. '"}')
end
