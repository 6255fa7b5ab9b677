-- Writes verdicts into a run's result buckets and the shapes they name, and counts the
-- addresses that had none before (progress.verified), atomically: a retried job that writes an
-- address again counts it once.
--
-- KEYS[1]: the run's shapes hash; KEYS[2..]: result buckets (one slot: the list's hash tag).
-- ARGV[1]: TTL of the shapes hash (ms); ARGV[2]: n, the number of shapes; then n id/JSON pairs;
-- then for each bucket, in KEYS order: its count c, then c address/value pairs.
-- Returns the number of addresses that had no verdict before. Pairs are unpacked a few
-- thousand at a time (Lua's stack).
local STEP = 4000
local n = tonumber(ARGV[2])
local i = 3
for from = i, i + 2 * n - 1, STEP do
  redis.call('HSET', KEYS[1], unpack(ARGV, from, math.min(from + STEP - 1, i + 2 * n - 1)))
end
i = i + 2 * n
local added = 0
for k = 2, #KEYS do
  local c = tonumber(ARGV[i])
  for from = i + 1, i + 2 * c, STEP do
    local to = math.min(from + STEP - 1, i + 2 * c)
    added = added + redis.call('HSET', KEYS[k], unpack(ARGV, from, to))
  end
  i = i + 1 + 2 * c
end
if added > 0 then redis.call('HINCRBY', KEYS[1], '#verified', added) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return added
