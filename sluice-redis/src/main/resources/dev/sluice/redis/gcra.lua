-- Sluice GCRA over one to three bucket keys, layout v1. See docs/redis.md.
-- Value of a bucket key: "<tat>:<burst>:<interval>", three decimal integers; time in store units
-- (microseconds from Redis TIME, or the injected clock's nanoseconds). A missing key is a full bucket.
-- ARGV: op (A acquire, P peek, L lease, R return), now ('' = Redis TIME), amount, units per ms,
--       expiry slack ms, then burst and interval for each key.
-- Reply: {admitted or granted, now, then tokens, debt, wait for each key}; wait -1 = never.
local op = ARGV[1]
local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[2])
end
local amount = tonumber(ARGV[3])
local unitsPerMs = tonumber(ARGV[4])
local slackMs = tonumber(ARGV[5])
local EXACT = 9007199254740992

local function gcd(a, b)
  while b > 0 do a, b = b, a % b end
  return a
end
local n = #KEYS
local tat, burst, iv, cap, changed = {}, {}, {}, {}, {}
for i = 1, n do
  local b = tonumber(ARGV[4 + 2 * i])
  local v = tonumber(ARGV[5 + 2 * i])
  burst[i], iv[i], cap[i] = b, v, b * v
  local t = now
  local raw = redis.call('GET', KEYS[i])
  if raw then
    local st, sb, si = string.match(raw, '^(%-?%d+):(%d+):(%d+)$')
    t = tonumber(st)
    local ob, oi = tonumber(sb), tonumber(si)
    if ob ~= b or oi ~= v then
      changed[i] = true
      if t > now then
        -- Proportional carry-over: the same fraction of the capacity stays owed, rounded up;
        -- exact while debt * new / old (reduced) stays below 2^53, else one unit on the safe side.
        local oc = ob * oi
        local g = gcd(cap[i], oc)
        local p = (t - now) * (cap[i] / g)
        local d = math.ceil(p / (oc / g))
        if p >= EXACT then d = d + 1 end
        t = now + d
      end
    end
  end
  tat[i] = t
end

local function debt(i)
  local d = tat[i] - now
  if d < 0 then return 0 end
  return d
end

local function tokens(i)
  local d = debt(i)
  if d >= cap[i] then return 0 end
  return math.floor((cap[i] - d) / iv[i])
end

local function store(i)
  local d = debt(i)
  if d <= 0 then
    redis.call('DEL', KEYS[i])
  else
    local ttl = math.ceil(d / unitsPerMs) + slackMs
    redis.call('SET', KEYS[i], string.format('%.0f:%.0f:%.0f', tat[i], burst[i], iv[i]), 'PX', ttl)
  end
end

local result = 0
local waits = {}
if op == 'A' then
  result = 1
  for i = 1, n do
    local need = debt(i) + amount * iv[i]
    if amount > burst[i] then
      waits[i] = -1
      result = 0
    elseif need > cap[i] then
      waits[i] = need - cap[i]
      result = 0
    else
      waits[i] = 0
    end
  end
  for i = 1, n do
    if result == 1 then
      tat[i] = now + debt(i) + amount * iv[i]
      store(i)
    elseif changed[i] then
      store(i)
    end
  end
elseif op == 'L' then
  local g = math.min(amount, tokens(1))
  if g >= 1 then
    tat[1] = now + debt(1) + g * iv[1]
    store(1)
    result = g
  elseif changed[1] then
    store(1)
  end
elseif op == 'R' then
  local back = math.min(amount * iv[1], debt(1))
  if back > 0 then
    tat[1] = tat[1] - back
  end
  store(1)
end

local reply = {result, now}
for i = 1, n do
  reply[#reply + 1] = tokens(i)
  reply[#reply + 1] = debt(i)
  reply[#reply + 1] = waits[i] or 0
end
return reply
