/**
 * Shared head of every ACD script. All ACD scripts take no KEYS: they work under one base key
 * (ARGV[1]) on a single Redis primary (Sentinel), like bullmq's own scripts. Context arguments:
 *   ARGV[1] base   ARGV[2] now ms   ARGV[3] now ISO   ARGV[4] local day (yyyymmdd)
 *   ARGV[5] history TTL s   ARGV[6] service level ms   ARGV[7] short abandon ms   ARGV[8] written target ms
 * Script-specific arguments start at ARGV[9]. Events are published from inside the script, so an
 * event exists if and only if the change does, whatever happens to the calling process.
 */
export const CONTEXT_ARGS = 8

export const PRELUDE = `
local B = ARGV[1]
local nowMs = tonumber(ARGV[2])
local nowIso = ARGV[3]
local day = ARGV[4]
local histTtl = tonumber(ARGV[5])
local slMs = tonumber(ARGV[6])
local shortMs = tonumber(ARGV[7])
local writtenMs = tonumber(ARGV[8])

local function akey(id) return B .. ':agent:' .. id end
local function appealsKey(id) return B .. ':agent-appeals:' .. id end
local function ekey(id) return B .. ':entry:' .. id end
local function okey(id) return B .. ':offer:' .. id end
local function wkey(q) return B .. ':waiting:' .. q end

local function publish(ev) redis.call('PUBLISH', B .. ':events', cjson.encode(ev)) end

local function stat(field, n)
  local k = B .. ':stats:' .. day
  redis.call('HINCRBY', k, field, n)
  redis.call('EXPIRE', k, histTtl)
end

local function offerTable(offerId)
  local o = redis.call('HMGET', okey(offerId), 'appealId', 'agentId', 'kind', 'offeredAt', 'expiresAt')
  if not o[1] then return nil end
  return { offerId = offerId, appealId = o[1], agentId = o[2], kind = o[3], offeredAt = o[4], expiresAt = o[5] }
end

local function agentStatus(id)
  local h = redis.call('HMGET', akey(id), 'state', 'reason', 'since', 'offer', 'wrapEnds')
  local st = { agentId = id, state = h[1], since = h[3], appealIds = redis.call('SMEMBERS', appealsKey(id)) }
  if h[2] and h[2] ~= '' then st.reason = h[2] end
  if h[4] and h[4] ~= '' then st.offer = offerTable(h[4]) end
  if h[1] == 'wrap-up' and h[5] and h[5] ~= '' then st.wrapUpEndsAt = h[5] end
  return st
end

local function emitAgent(id) publish({ type = 'agent-state', status = agentStatus(id) }) end

local function setState(id, state, reason, by)
  redis.call('HSET', akey(id), 'state', state, 'reason', reason or '', 'since', nowIso)
  local lk = B .. ':log:' .. id .. ':' .. day
  local rec = { state = state, at = nowIso }
  if reason and reason ~= '' then rec.reason = reason end
  if by and by ~= '' then rec.by = by end
  redis.call('RPUSH', lk, cjson.encode(rec))
  redis.call('EXPIRE', lk, histTtl)
end

-- Available = may receive an offer: ready, or busy with written appeals only; no open offer.
local function refreshAvail(id)
  local h = redis.call('HMGET', akey(id), 'state', 'calls', 'offer', 'idle')
  local calls = tonumber(h[2] or '0')
  if (h[1] == 'ready' or (h[1] == 'busy' and calls == 0)) and (h[3] or '') == '' then
    redis.call('ZADD', B .. ':avail', tonumber(h[4] or nowMs), id)
  else
    redis.call('ZREM', B .. ':avail', id)
  end
end

-- The state an agent returns to when nothing else is going on.
local function idleState(id)
  if redis.call('SCARD', appealsKey(id)) > 0 then return 'busy' end
  return 'ready'
end

-- Puts an entry back in its queue at its original score (its enqueue time is kept).
local function requeue(appealId)
  local e = redis.call('HMGET', ekey(appealId), 'queue', 'score')
  if not e[1] then return end
  redis.call('HSET', ekey(appealId), 'offer', '')
  redis.call('ZADD', wkey(e[1]), tonumber(e[2]), appealId)
  redis.call('SADD', B .. ':queues', e[1])
end

-- Withdraws an open offer: the entry goes back at its original place; the agent's next state depends
-- on why (timeout -> not-ready 未应答; declined -> back to work, at the end of the idle line; cancelled -> caller decides).
local function revokeOffer(offerId, reason, nextState, nextReason, by)
  local o = offerTable(offerId)
  if not o then return nil end
  redis.call('DEL', okey(offerId))
  redis.call('ZREM', B .. ':offer-deadlines', offerId)
  requeue(o.appealId)
  local a = o.agentId
  if redis.call('HGET', akey(a), 'offer') == offerId then
    redis.call('HSET', akey(a), 'offer', '')
    if reason == 'timeout' then
      setState(a, 'not-ready', '未应答', 'acd')
    elseif reason == 'declined' then
      redis.call('HSET', akey(a), 'idle', nowMs)
      setState(a, idleState(a), '', by)
    elseif nextState then
      setState(a, nextState, nextReason, by)
    end
    refreshAvail(a)
  end
  publish({ type = 'offer-revoked', offer = o, reason = reason })
  emitAgent(a)
  return o
end
`
