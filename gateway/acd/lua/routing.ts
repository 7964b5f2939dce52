/** Entry and offer scripts: add, dispatch (match + reserve), accept, decline, abandon, sweep. */
import { PRELUDE } from './prelude.ts'

/** ARGV[9..]: appealId, queue, kind, score, enqMs, skills (\n-joined), relax, countOffered (1/0). */
export const ADD_ENTRY = `${PRELUDE}
local id, q = ARGV[9], ARGV[10]
if redis.call('EXISTS', ekey(id)) == 1 or redis.call('HEXISTS', B .. ':assigned', id) == 1 then return 0 end
redis.call('HSET', ekey(id), 'queue', q, 'kind', ARGV[11], 'score', ARGV[12], 'enq', ARGV[13],
  'skills', ARGV[14], 'relax', ARGV[15], 'offer', '')
redis.call('ZADD', wkey(q), tonumber(ARGV[12]), id)
redis.call('SADD', B .. ':queues', q)
if ARGV[16] == '1' then stat(ARGV[11] == 'call' and 'offered' or 'writtenOffered', 1) end
return 1
`

/**
 * The matcher: heads of every queue merged by score (priority, then enqueue time), each given the
 * longest-idle available agent that has every skill still required at the entry's age (relaxation
 * steps "after:kind,kind;after:..."), within written capacity. Match and reservation happen in this
 * one script, so an entry is never reserved twice and an agent never gets two offers.
 * ARGV[9] maxScan, ARGV[10] offer timeout ms, ARGV[11] expiresAt ISO. Returns the offers made.
 */
export const DISPATCH = `${PRELUDE}
local maxScan, timeoutMs, expIso = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11]
local avail = redis.call('ZRANGE', B .. ':avail', 0, -1)
if #avail == 0 then return 0 end
local cands = {}
for _, q in ipairs(redis.call('SMEMBERS', B .. ':queues')) do
  local items = redis.call('ZRANGE', wkey(q), 0, maxScan - 1, 'WITHSCORES')
  if #items == 0 then redis.call('SREM', B .. ':queues', q) end
  for i = 1, #items, 2 do cands[#cands + 1] = { id = items[i], score = tonumber(items[i + 1]), q = q } end
end
if #cands == 0 then return 0 end
table.sort(cands, function(a, b) if a.score == b.score then return a.id < b.id end return a.score < b.score end)

local agents, left = {}, #avail
local function agentInfo(a)
  local info = agents[a]
  if info then return info end
  local h = redis.call('HMGET', akey(a), 'state', 'calls', 'written', 'cap', 'offer')
  local skills = {}
  for _, s in ipairs(redis.call('SMEMBERS', B .. ':agent-skills:' .. a)) do skills[s] = true end
  info = { ok = (h[1] == 'ready' or (h[1] == 'busy' and tonumber(h[2] or '0') == 0)) and (h[5] or '') == '',
    written = tonumber(h[3] or '0'), cap = tonumber(h[4] or '0'), skills = skills }
  if not info.ok then left = left - 1 end
  agents[a] = info
  return info
end

local function required(skills, relax, age)
  local keep = nil
  for step in string.gmatch(relax, '[^;]+') do
    local after, kinds = string.match(step, '^([%d%.]+):(.*)$')
    if after and age >= tonumber(after) * 1000 then
      keep = {}
      for k in string.gmatch(kinds, '[^,]+') do keep[k] = true end
    end
  end
  local req = {}
  for s in string.gmatch(skills, '[^\\n]+') do
    local kind = string.match(s, '^([^:]+):')
    if keep == nil or kind == 'agent' or keep[kind] then req[#req + 1] = s end
  end
  return req
end

-- Agents only leave the pool during a run, so a requirement nobody met stays unmet: skip its twins.
local unmet = {}
local made = 0
for i = 1, #cands do
  if left <= 0 then break end
  local c = cands[i]
  local e = redis.call('HMGET', ekey(c.id), 'kind', 'skills', 'relax', 'enq')
  local req, sig
  if e[1] then
    req = required(e[2], e[3], nowMs - tonumber(e[4]))
    sig = e[1] .. '|' .. table.concat(req, ',')
  end
  if e[1] and not unmet[sig] then
    unmet[sig] = true
    for _, a in ipairs(avail) do
      local info = agentInfo(a)
      local ok = info.ok and (e[1] ~= 'written' or info.written < info.cap)
      if ok then
        for _, s in ipairs(req) do if not info.skills[s] then ok = false break end end
      end
      if ok then
        local offerId = 'of-' .. redis.call('INCR', B .. ':offer-seq')
        local expMs = nowMs + timeoutMs
        redis.call('HSET', okey(offerId), 'appealId', c.id, 'agentId', a, 'kind', e[1],
          'offeredAt', nowIso, 'expiresAt', expIso, 'expMs', expMs)
        redis.call('ZADD', B .. ':offer-deadlines', expMs, offerId)
        redis.call('ZREM', wkey(c.q), c.id)
        redis.call('HSET', ekey(c.id), 'offer', offerId)
        redis.call('HSET', akey(a), 'offer', offerId)
        setState(a, 'reserved', '', 'acd')
        redis.call('ZREM', B .. ':avail', a)
        info.ok = false
        left = left - 1
        made = made + 1
        publish({ type = 'offer', offer = offerTable(offerId) })
        emitAgent(a)
        unmet[sig] = nil
        break
      end
    end
  end
end
return made
`

/** ARGV[9] agentId, ARGV[10] offerId. Returns {'ok', appealId, kind, waitMs} or {'gone'}. */
export const ACCEPT = `${PRELUDE}
local a, offerId = ARGV[9], ARGV[10]
local o = redis.call('HMGET', okey(offerId), 'appealId', 'agentId', 'kind', 'expMs')
if not o[1] or o[2] ~= a or nowMs > tonumber(o[4]) then return {'gone'} end
local appealId, kind = o[1], o[3]
redis.call('DEL', okey(offerId))
redis.call('ZREM', B .. ':offer-deadlines', offerId)
local en = redis.call('HMGET', ekey(appealId), 'enq', 'score')
local enq = tonumber(en[1] or nowMs)
redis.call('DEL', ekey(appealId))
-- Kept while the agent holds the appeal: a transfer re-queues it with its original time and priority.
redis.call('HSET', B .. ':assigned', appealId, a .. '|' .. nowMs .. '|' .. kind .. '|' .. enq .. '|' .. (en[2] or enq))
redis.call('SADD', appealsKey(a), appealId)
redis.call('HINCRBY', akey(a), kind == 'call' and 'calls' or 'written', 1)
redis.call('HSET', akey(a), 'offer', '', 'idle', nowMs)
setState(a, 'busy', '', a)
refreshAvail(a)
local wait = nowMs - enq
if kind == 'call' then
  stat('answered', 1)
  stat('asaMs', wait)
  if wait <= slMs then stat('answeredSl', 1) end
else
  stat('writtenTaken', 1)
  if wait <= writtenMs then stat('writtenInTarget', 1) end
end
publish({ type = 'appeal-assigned', agentId = a, appealId = appealId })
emitAgent(a)
return {'ok', appealId, kind, tostring(wait)}
`

/** ARGV[9] agentId, ARGV[10] offerId. */
export const DECLINE = `${PRELUDE}
local a, offerId = ARGV[9], ARGV[10]
if redis.call('HGET', okey(offerId), 'agentId') ~= a then return 0 end
revokeOffer(offerId, 'declined', nil, nil, a)
return 1
`

/**
 * The agent's phone did not take an offered call (no answer, busy, not registered): as a timeout,
 * the entry goes back at its place and the agent is 未应答. ARGV[9] agentId, ARGV[10] offerId.
 */
export const MISS = `${PRELUDE}
local a, offerId = ARGV[9], ARGV[10]
if redis.call('HGET', okey(offerId), 'agentId') ~= a then return 0 end
revokeOffer(offerId, 'timeout')
return 1
`

/**
 * A caller hung up (or a written appeal was withdrawn) while waiting or being offered.
 * ARGV[9] appealId. Returns {kind, waitMs} or {} when the entry was not waiting.
 */
export const ABANDON = `${PRELUDE}
local id = ARGV[9]
local e = redis.call('HMGET', ekey(id), 'queue', 'kind', 'enq', 'offer')
if not e[1] then return {} end
if e[4] and e[4] ~= '' then
  local o = offerTable(e[4])
  revokeOffer(e[4], 'cancelled', o and idleState(o.agentId) or nil, '', 'acd')
end
redis.call('ZREM', wkey(e[1]), id)
redis.call('ZREM', B .. ':deferred', id)
redis.call('DEL', ekey(id))
local wait = nowMs - tonumber(e[3])
if e[2] == 'call' then
  stat('abandoned', 1)
  if wait < shortMs then stat('abandonedShort', 1) end
end
return {e[2], tostring(wait)}
`

/**
 * ARGV[9] appealId, ARGV[10] kind (call | written). A waiting entry becomes the other kind (a caller
 * past the longest wait leaves a message: written work from now on). 0 while it is being offered
 * (the agent's phone rings: nothing changes) or when it is not waiting.
 */
export const SET_KIND = `${PRELUDE}
local id = ARGV[9]
local e = redis.call('HMGET', ekey(id), 'queue', 'offer')
if not e[1] or (e[2] and e[2] ~= '') then return 0 end
redis.call('HSET', ekey(id), 'kind', ARGV[10])
return 1
`

/** Expired offers (-> 未应答), entries set aside that are due, ended wrap-ups, up to ARGV[9] of each. Returns how many changed. */
export const SWEEP = `${PRELUDE}
local limit = tonumber(ARGV[9])
local n = 0
for _, offerId in ipairs(redis.call('ZRANGEBYSCORE', B .. ':offer-deadlines', '-inf', nowMs, 'LIMIT', 0, limit)) do
  if not revokeOffer(offerId, 'timeout') then redis.call('ZREM', B .. ':offer-deadlines', offerId) end
  n = n + 1
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', B .. ':deferred', '-inf', nowMs, 'LIMIT', 0, limit)) do
  redis.call('ZREM', B .. ':deferred', id)
  local e = redis.call('HMGET', ekey(id), 'queue', 'score')
  if e[1] then
    redis.call('ZADD', wkey(e[1]), tonumber(e[2]), id)
    redis.call('SADD', B .. ':queues', e[1])
  end
  n = n + 1
end
for _, a in ipairs(redis.call('ZRANGEBYSCORE', B .. ':wrap-deadlines', '-inf', nowMs, 'LIMIT', 0, limit)) do
  redis.call('ZREM', B .. ':wrap-deadlines', a)
  if redis.call('HGET', akey(a), 'state') == 'wrap-up' then
    redis.call('HSET', akey(a), 'idle', nowMs)
    setState(a, idleState(a), '', 'acd')
    refreshAvail(a)
    emitAgent(a)
  end
  n = n + 1
end
return n
`
