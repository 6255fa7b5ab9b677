-- Admits one SMTP session towards a provider, atomically for every worker: drops expired
-- leases, checks the (AIMD-scaled) session limit, then the connection-rate token bucket.
--
-- KEYS: leases, bucket, factor (one hash tag).
-- ARGV: lease id, max sessions, connections per minute, lease TTL ms.
-- Returns {1, 0, 0} when admitted, else {0, wait ms, 1} while the sessions are all taken (the
-- wait is when the oldest lease would expire: an upper bound, a release comes sooner) or
-- {0, wait ms, 2} while no token is left (the wait is exact at the current rate).
--
local factor = tonumber(redis.call('HGET', KEYS[3], 'factor')) or 1
local sessions = math.max(1, math.floor(tonumber(ARGV[2]) * factor))
local rate = math.max(1, math.floor(tonumber(ARGV[3]) * factor))
local perMs = rate / 60000

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= sessions then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.max(1, tonumber(oldest[2]) - now), 1}
end

local bucket = redis.call('HMGET', KEYS[2], 'tokens', 'updated_at')
local tokens = tonumber(bucket[1]) or rate
local updatedAt = tonumber(bucket[2]) or now
-- Capped at the current rate: a penalised provider loses its saved-up burst at once.
tokens = math.min(rate, tokens + math.max(0, now - updatedAt) * perMs)
if tokens < 1 then
  return {0, math.ceil((1 - tokens) / perMs), 2}
end

redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'updated_at', now)
-- An empty bucket refills within a minute, so a bucket gone after that is a full one.
redis.call('PEXPIRE', KEYS[2], 60000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
-- The set lives as long as its longest lease (gates may use different TTLs).
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], newest[2])
return {1, 0, 0}
