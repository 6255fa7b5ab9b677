-- Additive increase: adds a step to a penalised provider's factor. A provider at full speed has
-- no factor key, and reaching 1.0 deletes it, so successes at full speed write nothing.
--
-- KEYS: factor. ARGV: step, idle TTL ms. Returns the factor now in force, as a string.
--
local factor = tonumber(redis.call('HGET', KEYS[1], 'factor'))
if not factor then
  return '1'
end
factor = math.floor((factor + tonumber(ARGV[1])) * 10000 + 0.5) / 10000
if factor >= 1 then
  redis.call('DEL', KEYS[1])
  return '1'
end
redis.call('HSET', KEYS[1], 'factor', tostring(factor))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return tostring(factor)
