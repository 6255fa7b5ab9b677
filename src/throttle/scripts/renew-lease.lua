-- Pushes a held lease's expiry forward. A lease that is gone is not re-added: its slot may
-- already belong to someone else. One that lapsed but is still present was not yet swept by
-- an acquisition, so nobody took its slot and extending it is safe.
--
-- KEYS: leases. ARGV: lease id, lease TTL ms. Returns 1 if renewed, 0 if the lease is gone.
--
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], newest[2])
return 1
