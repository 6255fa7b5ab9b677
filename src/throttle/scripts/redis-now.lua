-- Lua prelude shared by the gate scripts: `now` in ms from the Redis server's clock, so every
-- worker measures lease expiry and token refill against one clock whatever its own says.
-- `replicate_commands` lets a script write after reading TIME on Redis < 5 (a no-op since 7).
--  
redis.replicate_commands()
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
