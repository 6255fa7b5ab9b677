-- Stores verdicts in the cache, each with its own TTL, in one call.
-- KEYS: verdict keys. ARGV: for each key, in KEYS order, its value then its TTL (ms).
for k = 1, #KEYS do
  redis.call('SET', KEYS[k], ARGV[2 * k - 1], 'PX', ARGV[2 * k])
end
return #KEYS
