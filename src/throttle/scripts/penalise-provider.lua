-- Multiplicative decrease: halves the provider's factor and empties its token bucket (a server
-- that just said "too many connections" gets no burst). Complaints inside the cool-down count
-- once: sessions opened before the first halving answer at the old rate, and halving for each
-- of them would collapse the rate to the floor after one busy moment.
--
-- KEYS: factor, bucket (one hash tag).
-- ARGV: cool-down ms, idle TTL ms, minimum factor.
-- Returns the factor now in force, as a string (Lua numbers reach Redis as integers).
--
local state = redis.call('HMGET', KEYS[1], 'factor', 'penalised_at')
local factor = tonumber(state[1]) or 1
local penalisedAt = tonumber(state[2])
if penalisedAt and now - penalisedAt < tonumber(ARGV[1]) then
  return tostring(factor)
end
-- Four decimals keep additive recovery exact: 0.5 + 10 × 0.05 must reach 1, not 0.999….
factor = math.max(tonumber(ARGV[3]), math.floor(factor * 0.5 * 10000 + 0.5) / 10000)
redis.call('HSET', KEYS[1], 'factor', tostring(factor), 'penalised_at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], 'tokens', '0', 'updated_at', now)
redis.call('PEXPIRE', KEYS[2], 60000)
return tostring(factor)
