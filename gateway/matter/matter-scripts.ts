/**
 * Lua scripts of the matter store. Each link or move is one script, so a crash leaves either the
 * whole change or none of it. Keys of a new matter are built inside the script from a prefix
 * (their id comes from INCR there): fine on one Redis / Sentinel, not Cluster-safe as written.
 */

/**
 * Link one appeal.
 * KEYS: 1 appeal hash, 2 version hash, 3 matter seq, 4.. index keys to add the appeal to.
 * ARGV: 1 appeal id, 2 at ms, 3 number, 4 features JSON, 5 link JSON, 6 matter id ('' = new),
 *       7 expected matter version, 8 members' identities JSON, 9 distinct citizens, 10 ttl ms,
 *       11 index cutoff ms, 12 matter key prefix, 13 members key prefix, 14 appeal key prefix,
 *       15 #read buckets, then read buckets, their expected versions, then #write buckets and
 *       write buckets, then #matters to fold in and (matter id, expected version) pairs, then the
 *       document-frequency hash key, its ttl, #terms and the terms, then the place-graph key prefix,
 *       its ttl, #nodes and the nodes (every ordered pair of nodes adds one to the edge), then the
 *       re-link part: '1' to re-link (a call on its summary) or '', the matter it is in ('' when
 *       never linked) and that matter's expected version, #index keys and the index keys to take
 *       it out of, #terms and the terms its old features counted that the new ones do not, #nodes
 *       and its old place nodes (their edges were counted already).
 * A re-link runs once per appeal (field `r`): the appeal keeps its matter or, alone in it and with
 * no agent decision, moves to `matterId`; the matter it leaves empty points there (`into`).
 * Returns {status, matterId, became}: status 1 linked, 0 already linked (re-linked), -1 retry
 * (stale read).
 */
export const LINK = `
local nRead = tonumber(ARGV[15])
local wStart = 15 + 2 * nRead + 1
local mStart = wStart + tonumber(ARGV[wStart]) + 1
local nMerge = tonumber(ARGV[mStart] or '0')
local tStart = mStart + 2 * nMerge + 1
local gStart = tStart + 3 + tonumber(ARGV[tStart + 2])
local rStart = gStart + 3 + tonumber(ARGV[gStart + 2])
local relink = ARGV[rStart] == '1'
local from = ARGV[rStart + 1] or ''
local existing = redis.call('HGET', KEYS[1], 'm')
if relink then
  if redis.call('HGET', KEYS[1], 'r') then return {0, existing or '', 0} end
  if (existing or '') ~= from then return {-1, '', 0} end
elseif existing then
  return {0, existing, 0}
end
for i = 1, nRead do
  local v = redis.call('HGET', KEYS[2], ARGV[15 + i]) or '0'
  if v ~= ARGV[15 + nRead + i] then return {-1, '', 0} end
end
local mid = ARGV[6]
local mkey
if mid == '' then
  mid = 'M' .. redis.call('INCR', KEYS[3])
  mkey = ARGV[12] .. mid
  redis.call('HSET', mkey, 'v', '0', 'first', ARGV[2], 'conc', '0')
else
  mkey = ARGV[12] .. mid
  local v = redis.call('HGET', mkey, 'v')
  if v ~= ARGV[7] then return {-1, '', 0} end
end
-- A re-link that moves the appeal: its matter must be as read (alone in it) and undecided.
local leaving = relink and from ~= '' and from ~= mid
if leaving then
  if (redis.call('HGET', ARGV[12] .. from, 'v') or '') ~= ARGV[rStart + 2] then return {-1, '', 0} end
  if redis.call('HGET', KEYS[1], 'd') then return {-1, '', 0} end
end
local mergedConc = false
for i = 1, nMerge do
  local other = ARGV[mStart + 2 * i - 1]
  if (redis.call('HGET', ARGV[12] .. other, 'v') or '') ~= ARGV[mStart + 2 * i] then return {-1, '', 0} end
end
local ttl = tonumber(ARGV[10])
local at = ARGV[2]
-- Fold the matters this appeal bridges into its matter (members follow, the old id redirects).
for i = 1, nMerge do
  local other = ARGV[mStart + 2 * i - 1]
  local okey = ARGV[12] .. other
  if redis.call('HGET', okey, 'conc') == '1' then mergedConc = true end
  local members = redis.call('ZRANGE', ARGV[13] .. other, 0, -1, 'WITHSCORES')
  for j = 1, #members, 2 do
    redis.call('HSET', ARGV[14] .. members[j], 'm', mid)
    redis.call('ZADD', ARGV[13] .. mid, members[j + 1], members[j])
  end
  redis.call('DEL', ARGV[13] .. other)
  redis.call('HSET', okey, 'into', mid)
  redis.call('HINCRBY', okey, 'v', 1)
  local ofirst = tonumber(redis.call('HGET', okey, 'first') or at)
  if ofirst < tonumber(redis.call('HGET', mkey, 'first') or at) then redis.call('HSET', mkey, 'first', ofirst) end
end
redis.call('HSET', KEYS[1], 'm', mid, 'n', ARGV[3], 'at', at, 'f', ARGV[4], 'l', ARGV[5])
if relink then redis.call('HSET', KEYS[1], 'r', '1') end
redis.call('PEXPIRE', KEYS[1], ttl)
local mm = ARGV[13] .. mid
redis.call('ZADD', mm, at, ARGV[1])
redis.call('PEXPIRE', mm, ttl)
if leaving then
  local fkey = ARGV[12] .. from
  redis.call('ZREM', ARGV[13] .. from, ARGV[1])
  redis.call('HSET', fkey, 'into', mid, 'cit', '[]', 'c', 0)
  redis.call('HINCRBY', fkey, 'v', 1)
end
-- A call received before the matter's first appeal (written ones came in while it was on the line).
if relink and tonumber(at) < tonumber(redis.call('HGET', mkey, 'first') or at) then redis.call('HSET', mkey, 'first', at) end
local count = tonumber(ARGV[9])
local became = 0
if count >= 3 and redis.call('HGET', mkey, 'conc') ~= '1' then
  if not mergedConc then became = 1 end
  redis.call('HSET', mkey, 'conc', '1')
end
local last = tonumber(redis.call('HGET', mkey, 'last') or '0')
if tonumber(at) > last then last = tonumber(at) end
redis.call('HSET', mkey, 'cit', ARGV[8], 'c', count, 'last', last)
redis.call('HINCRBY', mkey, 'v', 1)
redis.call('PEXPIRE', mkey, ttl)
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], at, ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. ARGV[11])
  redis.call('PEXPIRE', KEYS[i], ttl)
end
for i = wStart + 1, wStart + tonumber(ARGV[wStart]) do
  redis.call('HINCRBY', KEYS[2], ARGV[i], 1)
end
-- A re-link takes the appeal out of the index entries its old features had and the new ones do not.
local rx = rStart + 3
local nUnindex = tonumber(ARGV[rx] or '0')
for i = 1, nUnindex do redis.call('ZREM', ARGV[rx + i], ARGV[1]) end
rx = rx + 1 + nUnindex
-- What the window learns from every appeal: document frequencies of its terms, and which of its
-- places were named together (the place graph). A re-link counts the appeal once: only what its
-- old features did not count, less what they counted and the new ones do not.
local p = tStart
local dfKey = ARGV[p]
local nTerms = tonumber(ARGV[p + 2])
for i = 1, nTerms do redis.call('HINCRBY', dfKey, ARGV[p + 2 + i], 1) end
if not relink or from == '' then redis.call('HINCRBY', dfKey, '#n', 1) end
local nUnterms = tonumber(ARGV[rx] or '0')
for i = 1, nUnterms do
  if redis.call('HINCRBY', dfKey, ARGV[rx + i], -1) <= 0 then redis.call('HDEL', dfKey, ARGV[rx + i]) end
end
rx = rx + 1 + nUnterms
local old = {}
for i = 1, tonumber(ARGV[rx] or '0') do old[ARGV[rx + i]] = true end
redis.call('PEXPIRE', dfKey, ARGV[p + 1])
p = gStart
local gPrefix = ARGV[p]
local nNodes = tonumber(ARGV[p + 2])
for i = 1, nNodes do
  local a = ARGV[p + 2 + i]
  local gkey = gPrefix .. a
  for j = 1, nNodes do
    local b = ARGV[p + 2 + j]
    if i ~= j and not (old[a] and old[b]) then redis.call('ZINCRBY', gkey, 1, b) end
  end
  if nNodes > 1 then redis.call('PEXPIRE', gkey, ARGV[p + 1]) end
end
return {1, mid, became}
`

/**
 * Move one appeal to another matter (agent detach / attach).
 * KEYS: 1 appeal hash, 2 matter seq, 3 decision stream.
 * ARGV: 1 appeal id, 2 from matter, 3 from version, 4 from identities JSON, 5 from citizens,
 *       6 to matter ('' = new), 7 to version, 8 to identities JSON, 9 to citizens, 10 decision JSON,
 *       11 ttl ms, 12 matter key prefix, 13 members key prefix, 14 never-set key prefix,
 *       15 'add' | 'remove' never pairs, 16 #ids, then the ids paired with this appeal.
 * Returns {status, matterId}: 1 moved, -1 retry (a matter changed meanwhile), -2 appeal unknown.
 */
export const MOVE = `
local cur = redis.call('HGET', KEYS[1], 'm')
if not cur then return {-2, ''} end
if cur ~= ARGV[2] then return {-1, ''} end
local fromKey = ARGV[12] .. ARGV[2]
if (redis.call('HGET', fromKey, 'v') or '') ~= ARGV[3] then return {-1, ''} end
local to = ARGV[6]
local toKey
if to == '' then
  to = 'M' .. redis.call('INCR', KEYS[2])
  toKey = ARGV[12] .. to
  redis.call('HSET', toKey, 'v', '0', 'conc', '0', 'first', redis.call('HGET', KEYS[1], 'at'))
else
  toKey = ARGV[12] .. to
  if (redis.call('HGET', toKey, 'v') or '') ~= ARGV[7] then return {-1, ''} end
end
local ttl = tonumber(ARGV[11])
local at = redis.call('HGET', KEYS[1], 'at')
redis.call('ZREM', ARGV[13] .. ARGV[2], ARGV[1])
redis.call('ZADD', ARGV[13] .. to, at, ARGV[1])
redis.call('PEXPIRE', ARGV[13] .. to, ttl)
redis.call('HSET', KEYS[1], 'm', to, 'd', ARGV[10])
redis.call('HSET', fromKey, 'cit', ARGV[4], 'c', ARGV[5])
redis.call('HINCRBY', fromKey, 'v', 1)
local toCount = tonumber(ARGV[9])
if toCount >= 3 then redis.call('HSET', toKey, 'conc', '1') end
local last = tonumber(redis.call('HGET', toKey, 'last') or '0')
if tonumber(at) > last then last = tonumber(at) end
redis.call('HSET', toKey, 'cit', ARGV[8], 'c', toCount, 'last', last)
redis.call('HINCRBY', toKey, 'v', 1)
redis.call('PEXPIRE', toKey, ttl)
local n = tonumber(ARGV[16])
for i = 17, 16 + n do
  if ARGV[15] == 'add' then
    redis.call('SADD', ARGV[14] .. ARGV[1], ARGV[i])
    redis.call('SADD', ARGV[14] .. ARGV[i], ARGV[1])
    redis.call('PEXPIRE', ARGV[14] .. ARGV[i], ttl)
  else
    redis.call('SREM', ARGV[14] .. ARGV[1], ARGV[i])
    redis.call('SREM', ARGV[14] .. ARGV[i], ARGV[1])
  end
end
if n > 0 then redis.call('PEXPIRE', ARGV[14] .. ARGV[1], ttl) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', '10000', '*', 'appeal', ARGV[1], 'decision', ARGV[10])
return {1, to}
`

/** Record a decision that moves nothing (confirm). KEYS: 1 appeal hash, 2 stream. ARGV: id, JSON. */
export const DECIDE = `
if not redis.call('HGET', KEYS[1], 'm') then return 0 end
redis.call('HSET', KEYS[1], 'd', ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '10000', '*', 'appeal', ARGV[1], 'decision', ARGV[2])
return 1
`
