-- Keeps the counter hashes small in Redis. Every domain with its own MX is a provider, so over
-- months the per-provider hashes would grow without bound and each scrape would read them whole.
-- Once a hash passes `threshold` fields, this script folds every provider outside the top `keep`
-- (by total count) into `other`, atomically, so no increment is lost in between. Sums stay the
-- same; the folded providers' series move into `other`.
--
-- KEYS: the hash. ARGV: keep, threshold, composite (`1` when fields are `<code>|<provider>`),
-- separator, other label. Returns how many fields were folded.
--
if redis.call('HLEN', KEYS[1]) <= tonumber(ARGV[2]) then return 0 end
local keep, composite, sep, other = tonumber(ARGV[1]), ARGV[3] == '1', ARGV[4], ARGV[5]
local flat = redis.call('HGETALL', KEYS[1])
local function split(field)
  if composite then
    local at = string.find(field, sep, 1, true)
    if at then return string.sub(field, at + 1), string.sub(field, 1, at) end
  end
  return field, ''
end
local totals = {}
for i = 1, #flat, 2 do
  local group = split(flat[i])
  totals[group] = (totals[group] or 0) + tonumber(flat[i + 1])
end
local names = {}
for group in pairs(totals) do
  if group ~= other then names[#names + 1] = group end
end
table.sort(names, function(a, b)
  if totals[a] ~= totals[b] then return totals[a] > totals[b] end
  return a < b
end)
local kept = {}
for i = 1, math.min(keep, #names) do kept[names[i]] = true end
local folded = 0
for i = 1, #flat, 2 do
  local group, head = split(flat[i])
  if group ~= other and not kept[group] then
    redis.call('HINCRBY', KEYS[1], head .. other, flat[i + 1])
    redis.call('HDEL', KEYS[1], flat[i])
    folded = folded + 1
  end
end
return folded
