-- HMGET in many buckets in one call (one slot: the list's hash tag).
-- KEYS: buckets. ARGV: for each bucket, in KEYS order, its count c then c fields.
-- Returns one array of values (nil for a missing field) per bucket. Fields are unpacked a few
-- thousand at a time (Lua's stack), however many a bucket has.
local STEP = 4000
local out = {}
local i = 1
for k = 1, #KEYS do
  local c = tonumber(ARGV[i])
  local values = {}
  for from = i + 1, i + c, STEP do
    local to = math.min(from + STEP - 1, i + c)
    local got = redis.call('HMGET', KEYS[k], unpack(ARGV, from, to))
    for j = 1, #got do values[#values + 1] = got[j] end
  end
  out[k] = values
  i = i + 1 + c
end
return out
