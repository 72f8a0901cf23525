-- Sluice GCRA for a batch of decisions in one call, layout v1. See docs/redis.md ("Batching").
-- The decisions are evaluated one after the other, in ARGV order, each against the state the ones
-- before it left: the same arithmetic as one gcra.lua 'A' call per decision in that order. Every
-- key is read once (one MGET) and each touched key written once at the end, with the value and
-- expiry its last decision gave it.
-- KEYS: the distinct bucket keys of the batch.
-- ARGV: units per ms, expiry slack ms, limit count L, shape count S, decision count, time ('T' =
--       Redis TIME for every decision, read once per call; 'C' = each decision carries its now),
--       then L pairs of burst and interval (the batch's distinct limits), then S shapes (the
--       distinct level lists of the batch's decisions, innermost key aside): level count n, the
--       innermost level's limit index, then n - 1 pairs of key index (into KEYS) and limit index for
--       the outer levels; then per decision: with 'C' its now ('' = Redis TIME), then cost, shape
--       index, the innermost level's key index (a cold client's key: the one that differs per
--       decision).
-- Reply: per decision, admitted (1/0), then each level's debt after the decision (store units);
--        the caller derives tokens and waits from them, the cost and the limits it sent.
local tonumber, ceil = tonumber, math.ceil
local unitsPerMs = tonumber(ARGV[1])
local slackMs = tonumber(ARGV[2])
local limits = tonumber(ARGV[3])
local shapes = tonumber(ARGV[4])
local count = tonumber(ARGV[5])
local carried = ARGV[6] == 'C'
local lb, lv, lc, suffix = {}, {}, {}, {}
for j = 1, limits do
  local sb, sv = ARGV[5 + 2 * j], ARGV[6 + 2 * j]
  lb[j], lv[j] = tonumber(sb), tonumber(sv)
  lc[j] = lb[j] * lv[j]
  suffix[j] = ':' .. sb .. ':' .. sv
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

-- Every key's stored value, read in one MGET (parsed on first use).
local raw
if #KEYS <= 1000 then
  raw = redis.call('MGET', unpack(KEYS))
else
  -- unpack has a stack limit: large batches read their keys 1000 at a time.
  raw = {}
  local i = 1
  while i <= #KEYS do
    local j = math.min(#KEYS, i + 999)
    local part = redis.call('MGET', unpack(KEYS, i, j))
    for x = 1, #part do raw[i + x - 1] = part[x] end
    i = j + 1
  end
end
-- Per key: tat (false = no bucket, i.e. full; nil = not read yet) and the limit it was computed
-- under: an index into the limits (klim) once known, else the burst and interval read from Redis
-- (kb, kv); a written key remembers the now of the decision that last stored it (at).
local tat, kb, kv, klim, at = {}, {}, {}, {}, {}
local function load(k)
  local r = raw[k]
  if r then
    local st, sb, si = string.match(r, '^(%-?%d+):(%d+):(%d+)$')
    tat[k], kb[k], kv[k] = tonumber(st) or false, tonumber(sb), tonumber(si)
  else
    tat[k] = false
  end
end

-- Per level of the decision at hand (at most three), reused from decision to decision: the TAT
-- rescaled under a changed limit, false when the limit is unchanged.
local rescaled = {}
local reply = {}
local r = 0
local p = 7 + 2 * limits
-- Shapes: per shape, its level count, key and limit indexes (key 0 = the decision's innermost key).
local sn, sk, sl = {}, {}, {}
for s = 1, shapes do
  local n = tonumber(ARGV[p])
  local ks, ls = {0}, {tonumber(ARGV[p + 1])}
  p = p + 2
  for i = 2, n do
    ks[i], ls[i] = tonumber(ARGV[p]), tonumber(ARGV[p + 1])
    p = p + 2
  end
  sn[s], sk[s], sl[s] = n, ks, ls
end
for _ = 1, count do
  local now
  if carried then
    now = ARGV[p]
    if now == '' then now = timeNow() else now = tonumber(now) end
    p = p + 1
  else
    now = timeNow()
  end
  local amount = tonumber(ARGV[p])
  local s = tonumber(ARGV[p + 1])
  local inner = tonumber(ARGV[p + 2])
  p = p + 3
  local n, ks, ls = sn[s], sk[s], sl[s]
  local admitted = 1
  for i = 1, n do
    local k, l = ks[i], ls[i]
    if k == 0 then k = inner end
    local bi, vi, ci = lb[l], lv[l], lc[l]
    local x = tat[k]
    if x == nil then
      load(k)
      x = tat[k]
    end
    local ch = false
    if x then
      local kl = klim[k]
      if kl ~= l then
        local ob, ov
        if kl then ob, ov = lb[kl], lv[kl] else ob, ov = kb[k], kv[k] end
        if ob == bi and ov == vi then
          klim[k] = l
        else
          ch = true
          if x > now then
            -- Proportional carry-over, as in gcra.lua.
            local oc = ob * ov
            local g = gcd(ci, oc)
            local q = (x - now) * (ci / g)
            local d = ceil(q / (oc / g))
            if q >= EXACT then d = d + 1 end
            x = now + d
          end
        end
      end
    else
      x = now
    end
    rescaled[i] = ch and x
    local d = x - now
    if d < 0 then d = 0 end
    if amount > bi or d + amount * vi > ci then admitted = 0 end
  end
  r = r + 1
  reply[r] = admitted
  for i = 1, n do
    local k, l = ks[i], ls[i]
    if k == 0 then k = inner end
    local x = rescaled[i]
    local ch = x
    if not x then x = tat[k] or now end
    local d = x - now
    if d < 0 then d = 0 end
    if admitted == 1 then
      d = d + amount * lv[l]
      x = now + d
    end
    if admitted == 1 or ch then
      at[k] = now
      if d <= 0 then
        tat[k] = false
      else
        tat[k], klim[k] = x, l
      end
    end
    r = r + 1
    reply[r] = d
  end
end

for k, a in pairs(at) do
  local x = tat[k]
  if x then
    redis.call('SET', KEYS[k], string.format('%.0f%s', x, suffix[klim[k]]), 'PX', ceil((x - a) / unitsPerMs) + slackMs)
  else
    redis.call('DEL', KEYS[k])
  end
end
return reply
