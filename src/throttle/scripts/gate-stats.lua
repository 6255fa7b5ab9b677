-- Reads a provider's gate without changing it: live leases, tokens as of now, the factor and
-- the effective limits it yields.
--
-- KEYS: leases, bucket, factor. ARGV: max sessions, connections per minute.
-- Returns {open, tokens, factor, sessions, rate}; tokens and factor as strings.
--
local factor = tonumber(redis.call('HGET', KEYS[3], 'factor')) or 1
local sessions = math.max(1, math.floor(tonumber(ARGV[1]) * factor))
local rate = math.max(1, math.floor(tonumber(ARGV[2]) * factor))
local open = redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
local bucket = redis.call('HMGET', KEYS[2], 'tokens', 'updated_at')
local tokens = tonumber(bucket[1]) or rate
local updatedAt = tonumber(bucket[2]) or now
tokens = math.min(rate, tokens + math.max(0, now - updatedAt) * rate / 60000)
return {open, tostring(tokens), tostring(factor), sessions, rate}
