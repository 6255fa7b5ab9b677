-- HSET in many buckets in one call (one slot: the list's hash tag).
-- KEYS: buckets. ARGV: for each bucket, in KEYS order, its count c then c field/value pairs.
-- Returns the number of fields that were new. Pairs are unpacked a few thousand at a time.
local STEP = 4000
local added = 0
local i = 1
for k = 1, #KEYS do
  local c = tonumber(ARGV[i])
  for from = i + 1, i + 2 * c, STEP do
    local to = math.min(from + STEP - 1, i + 2 * c)
    added = added + redis.call('HSET', KEYS[k], unpack(ARGV, from, to))
  end
  i = i + 1 + 2 * c
end
return added
