-- Moves a list's status forward, atomically: queued → ingesting → verifying → aggregating →
-- done, or failed from any unfinished state; never back, never out of done or failed. The
-- fields are written whether or not the status moves (counters, timestamps, the error).
--
-- KEYS: the list's meta hash. ARGV: new status, updated-at, then field/value pairs.
-- Returns the status the list now has, or '' when the list does not exist.
local order = { queued = 1, ingesting = 2, verifying = 3, aggregating = 4, done = 5 }
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return '' end
if current == 'done' or current == 'failed' then return current end
local wanted = ARGV[1]
local forward = wanted == 'failed' or (order[wanted] or 0) > (order[current] or 0)
local fields = { 'updatedAt', ARGV[2] }
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
if forward then
  fields[#fields + 1] = 'status'
  fields[#fields + 1] = wanted
end
redis.call('HSET', KEYS[1], unpack(fields))
if forward then return wanted end
return current
