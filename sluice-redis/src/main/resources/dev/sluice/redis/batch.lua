-- Sluice GCRA for a batch of decisions in one call, layout v1. See docs/redis.md ("Batching").
-- The decisions are evaluated one after the other, in ARGV order, each against the state the ones
-- before it left: the same arithmetic as one gcra.lua 'A' call per decision in that order. Each
-- touched key is written once at the end, with the value and expiry its last decision gave it.
-- KEYS: the distinct bucket keys of the batch.
-- ARGV: units per ms, expiry slack ms, limit count L, decision count, then L pairs of burst and
--       interval (the batch's distinct limits), then per decision: now ('' = Redis TIME, read once
--       per call), cost, level count, then per level: key index (into KEYS), limit index.
-- Reply: per decision, admitted (1/0), now, then tokens, debt, wait for each level; wait -1 = never.
local unitsPerMs = tonumber(ARGV[1])
local slackMs = tonumber(ARGV[2])
local limits = tonumber(ARGV[3])
local count = tonumber(ARGV[4])
local lb, lv, lc = {}, {}, {}
for j = 1, limits do
  lb[j], lv[j] = tonumber(ARGV[3 + 2 * j]), tonumber(ARGV[4 + 2 * j])
  lc[j] = lb[j] * lv[j]
end
local EXACT = 9007199254740992

local serverNow
local function timeNow()
  if not serverNow then
    local t = redis.call('TIME')
    serverNow = tonumber(t[1]) * 1000000 + tonumber(t[2])
  end
  return serverNow
end

local function gcd(a, b)
  while b > 0 do a, b = b, a % b end
  return a
end

-- Per key: tat (false = no bucket, i.e. full), burst and interval it was computed under; loaded on
-- first use; written (dirty) with the now of the decision that last stored it.
local tat, kb, kv, loaded, dirty, at = {}, {}, {}, {}, {}, {}
local function load(k)
  if loaded[k] then return end
  loaded[k] = true
  local raw = redis.call('GET', KEYS[k])
  if raw then
    local st, sb, si = string.match(raw, '^(%-?%d+):(%d+):(%d+)$')
    tat[k], kb[k], kv[k] = tonumber(st), tonumber(sb), tonumber(si)
  else
    tat[k] = false
  end
end

-- Per level of the decision at hand (at most three), reused from decision to decision.
local key, t, b, v, cap, changed, waits = {}, {}, {}, {}, {}, {}, {}
local now
local function debt(i)
  local d = t[i] - now
  if d < 0 then return 0 end
  return d
end

local reply = {}
local r = 0
local p = 5 + 2 * limits
for _ = 1, count do
  now = ARGV[p]
  if now == '' then now = timeNow() else now = tonumber(now) end
  local amount = tonumber(ARGV[p + 1])
  local n = tonumber(ARGV[p + 2])
  p = p + 3
  for i = 1, n do
    local k, l = tonumber(ARGV[p]), tonumber(ARGV[p + 1])
    p = p + 2
    local bi, vi = lb[l], lv[l]
    key[i], b[i], v[i], cap[i], changed[i] = k, bi, vi, lc[l], false
    load(k)
    local x = now
    if tat[k] then
      x = tat[k]
      if kb[k] ~= bi or kv[k] ~= vi then
        changed[i] = true
        if x > now then
          -- Proportional carry-over, as in gcra.lua.
          local oc = kb[k] * kv[k]
          local g = gcd(cap[i], oc)
          local q = (x - now) * (cap[i] / g)
          local d = math.ceil(q / (oc / g))
          if q >= EXACT then d = d + 1 end
          x = now + d
        end
      end
    end
    t[i] = x
  end
  local admitted = 1
  for i = 1, n do
    local need = debt(i) + amount * v[i]
    if amount > b[i] then
      waits[i] = -1
      admitted = 0
    elseif need > cap[i] then
      waits[i] = need - cap[i]
      admitted = 0
    else
      waits[i] = 0
    end
  end
  r = r + 1
  reply[r] = admitted
  r = r + 1
  reply[r] = now
  for i = 1, n do
    if admitted == 1 then
      t[i] = now + debt(i) + amount * v[i]
    end
    local d = debt(i)
    if admitted == 1 or changed[i] then
      local k = key[i]
      dirty[k], at[k] = true, now
      if d <= 0 then
        tat[k] = false
      else
        tat[k], kb[k], kv[k] = t[i], b[i], v[i]
      end
    end
    local tokens = 0
    if d < cap[i] then tokens = math.floor((cap[i] - d) / v[i]) end
    reply[r + 1], reply[r + 2], reply[r + 3] = tokens, d, waits[i]
    r = r + 3
  end
end

for k in pairs(dirty) do
  if tat[k] then
    local ttl = math.ceil((tat[k] - at[k]) / unitsPerMs) + slackMs
    redis.call('SET', KEYS[k], string.format('%.0f:%.0f:%.0f', tat[k], kb[k], kv[k]), 'PX', ttl)
  else
    redis.call('DEL', KEYS[k])
  end
end
return reply
