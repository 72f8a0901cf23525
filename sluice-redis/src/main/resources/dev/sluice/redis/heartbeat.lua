-- Sluice node heartbeat: KEYS[1] is the sorted set of node ids scored by expiry in ms (Redis TIME).
-- ARGV: node id, ttl ms (0 = leave). Reply: {live node count}.
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(ARGV[2]) > 0 then
  redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[2]), 1000) * 10)
return {redis.call('ZCARD', KEYS[1])}
