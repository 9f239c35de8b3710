-- Sluice: add requests counted while Redis was unreachable to the shared windows, at their time.
-- KEYS: a window (sorted set) and its running sum (string).
-- ARGV: window length ms, then pairs of (time ms, "<id>|<amount>") .
-- Entries already outside the window are skipped. Returns the number added.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local win = tonumber(ARGV[1])
local added = 0
for j = 2, #ARGV, 2 do
  local at = tonumber(ARGV[j])
  local member = ARGV[j + 1]
  if at > now - win and redis.call('ZADD', KEYS[1], 'NX', at, member) == 1 then
    redis.call('INCRBY', KEYS[2], tonumber(string.match(member, '|(%d+)$')))
    added = added + 1
  end
end
if added > 0 then
  redis.call('PEXPIRE', KEYS[1], win + 60000)
  redis.call('PEXPIRE', KEYS[2], win + 60000)
end
return added
