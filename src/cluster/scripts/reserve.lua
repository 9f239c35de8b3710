-- Sluice: count one request in an account's shared limit windows, only if it fits in all.
-- KEYS: for each of n dimensions, its window (sorted set: member "<id>|<amount>", score = ms)
--       and its running sum (string); then the account/model cooldown key and urgency key.
-- ARGV: id, n, priority rank (0 high, 1 normal, 2 low), grace ms, then for each dimension:
--       window length ms, limit, amount.
-- Returns 0 when counted in every window; otherwise the ms until it may fit (nothing counted).
-- Priorities across instances: a refused request of rank r marks the account urgent for r
-- until its next free slot (+ grace); requests of a larger rank are refused meanwhile.
-- Time is Redis' own clock, so every instance counts on the same one.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local n = tonumber(ARGV[2])
local rank = tonumber(ARGV[3])
local grace = tonumber(ARGV[4])
local cool = redis.call('PTTL', KEYS[2 * n + 1])
if cool > 0 then return cool end
local urgentKey = KEYS[2 * n + 2]
local urgent = redis.call('GET', urgentKey)
if urgent and tonumber(urgent) < rank then
  local left = redis.call('PTTL', urgentKey)
  if left > 0 then return left end
end

local function amount(member)
  return tonumber(string.match(member, '|(%d+)$'))
end

local wait = 0
for i = 1, n do
  local z, s = KEYS[2 * i - 1], KEYS[2 * i]
  local win = tonumber(ARGV[3 * i + 2])
  local lim = tonumber(ARGV[3 * i + 3])
  local amt = tonumber(ARGV[3 * i + 4])
  local old = redis.call('ZRANGEBYSCORE', z, '-inf', now - win)
  if #old > 0 then
    local freed = 0
    for _, m in ipairs(old) do freed = freed + amount(m) end
    redis.call('ZREMRANGEBYSCORE', z, '-inf', now - win)
    redis.call('DECRBY', s, freed)
  end
  local used = tonumber(redis.call('GET', s) or '0')
  if used + amt > lim then
    -- Walk from the oldest entry until enough would have left the window.
    local excess = used + amt - lim
    local w = win
    local members = redis.call('ZRANGE', z, 0, -1, 'WITHSCORES')
    for j = 1, #members, 2 do
      excess = excess - amount(members[j])
      if excess <= 0 then
        w = tonumber(members[j + 1]) + win - now + 1
        break
      end
    end
    if w < 1 then w = 1 end
    if w > wait then wait = w end
  end
end
if wait > 0 then
  if rank < 2 and (not urgent or tonumber(urgent) >= rank) then
    redis.call('SET', urgentKey, rank, 'PX', wait + grace)
  end
  return wait
end

for i = 1, n do
  local z, s = KEYS[2 * i - 1], KEYS[2 * i]
  local win = tonumber(ARGV[3 * i + 2])
  local amt = tonumber(ARGV[3 * i + 4])
  redis.call('ZADD', z, now, id .. '|' .. amt)
  redis.call('INCRBY', s, amt)
  redis.call('PEXPIRE', z, win + 60000)
  redis.call('PEXPIRE', s, win + 60000)
end
return 0
