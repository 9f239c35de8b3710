-- Sluice: correct one request already counted in the shared windows, once its answer came.
-- KEYS: for each of n dimensions, its window (sorted set) and its running sum (string).
-- ARGV: id, n, processing ms (-1: keep the time), then for each dimension: counted amount, new amount.
-- Moves the entry to (now - processing ms) when that is later (the upstream counted it then)
-- and replaces its amount (tokens actually used). An entry that already left a window is skipped.
-- Returns the number of entries changed.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local n = tonumber(ARGV[2])
local processing = tonumber(ARGV[3])
local changed = 0
for i = 1, n do
  local z, s = KEYS[2 * i - 1], KEYS[2 * i]
  local old = ARGV[2 + 2 * i]
  local new = ARGV[3 + 2 * i]
  local member = id .. '|' .. old
  local score = redis.call('ZSCORE', z, member)
  if score then
    score = tonumber(score)
    local at = score
    if processing >= 0 and now - processing > score then at = now - processing end
    if at ~= score or new ~= old then
      redis.call('ZREM', z, member)
      redis.call('ZADD', z, at, id .. '|' .. new)
      redis.call('INCRBY', s, tonumber(new) - tonumber(old))
      changed = changed + 1
    end
  end
end
return changed
