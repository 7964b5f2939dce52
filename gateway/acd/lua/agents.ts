/** Agent scripts: register (profile from config), state changes, complete, transfer. */
import { PRELUDE } from './prelude.ts'

/** ARGV[9] agentId, ARGV[10] name, ARGV[11] role, ARGV[12] writtenCapacity, ARGV[13..] skills. */
export const REGISTER_AGENT = `${PRELUDE}
local a = ARGV[9]
redis.call('SADD', B .. ':agents', a)
local k = akey(a)
redis.call('HSET', k, 'name', ARGV[10], 'role', ARGV[11], 'cap', ARGV[12])
if redis.call('HEXISTS', k, 'state') == 0 then
  redis.call('HSET', k, 'state', 'offline', 'reason', '', 'since', nowIso, 'calls', 0, 'written', 0, 'offer', '', 'idle', nowMs)
end
local sk = B .. ':agent-skills:' .. a
for _, s in ipairs(redis.call('SMEMBERS', sk)) do redis.call('SREM', B .. ':skill-agents:' .. s, a) end
redis.call('DEL', sk)
redis.call('SADD', sk, 'agent:' .. a)
for i = 13, #ARGV do
  redis.call('SADD', sk, ARGV[i])
  redis.call('SADD', B .. ':skill-agents:' .. ARGV[i], a)
end
refreshAvail(a)
return 1
`

/**
 * ARGV[9] agentId, ARGV[10] target (ready | not-ready | offline), ARGV[11] reason, ARGV[12] by.
 * ready: back to work (busy if the agent still holds appeals); ends wrap-up early; an agent coming
 * from not-ready/offline/wrap-up joins the end of the idle line. not-ready/offline withdraw an open
 * offer (its entry goes back at its original place). offline is refused while holding appeals.
 * Returns 'ok', 'unknown' or 'holds'.
 */
export const SET_STATE = `${PRELUDE}
local a, target, reason, by = ARGV[9], ARGV[10], ARGV[11], ARGV[12]
local cur = redis.call('HGET', akey(a), 'state')
if not cur then return 'unknown' end
local holds = redis.call('SCARD', appealsKey(a)) > 0
if target == 'offline' and holds then return 'holds' end
local offer = redis.call('HGET', akey(a), 'offer') or ''
if target == 'ready' then
  if cur == 'ready' or cur == 'busy' or cur == 'reserved' then return 'ok' end
  redis.call('ZREM', B .. ':wrap-deadlines', a)
  redis.call('HSET', akey(a), 'idle', nowMs)
  setState(a, idleState(a), '', by)
else
  if cur == target and (redis.call('HGET', akey(a), 'reason') or '') == reason then return 'ok' end
  redis.call('ZREM', B .. ':wrap-deadlines', a)
  if offer ~= '' then
    revokeOffer(offer, 'cancelled', target, reason, by)
  else
    setState(a, target, reason, by)
  end
end
refreshAvail(a)
emitAgent(a)
return 'ok'
`

// Releases an appeal held by an agent; returns kind, handle ms, enqueue ms and score, or nil when not held.
const RELEASE = `
local function release(a, appealId)
  if redis.call('SREM', appealsKey(a), appealId) == 0 then return nil end
  local asg = redis.call('HGET', B .. ':assigned', appealId) or ''
  redis.call('HDEL', B .. ':assigned', appealId)
  local acceptedMs, kind, enq, score = string.match(asg, '^[^|]*|([^|]*)|([^|]*)|([^|]*)|(.*)$')
  kind = kind or 'written'
  local field = kind == 'call' and 'calls' or 'written'
  if tonumber(redis.call('HGET', akey(a), field) or '0') > 0 then redis.call('HINCRBY', akey(a), field, -1) end
  return kind, nowMs - tonumber(acceptedMs or nowMs), enq or tostring(nowMs), score or tostring(nowMs)
end

-- After an appeal: wrap-up until ARGV[wrapIdx] (ISO) / ARGV[wrapIdx+1] (ms); a not-ready agent stays not-ready.
local function afterWork(a, wrapIso, wrapMs, by)
  local st = redis.call('HGET', akey(a), 'state')
  if st == 'not-ready' or st == 'reserved' then return end
  if wrapMs <= nowMs then
    redis.call('HSET', akey(a), 'idle', nowMs)
    setState(a, idleState(a), '', by)
  else
    redis.call('HSET', akey(a), 'wrapEnds', wrapIso)
    redis.call('ZADD', B .. ':wrap-deadlines', wrapMs, a)
    setState(a, 'wrap-up', '', by)
  end
end
`

/** ARGV[9] agentId, ARGV[10] appealId, ARGV[11] wrap-up end ISO, ARGV[12] wrap-up end ms. */
export const COMPLETE = `${PRELUDE}${RELEASE}
local a, id = ARGV[9], ARGV[10]
local kind, handleMs = release(a, id)
if not kind then return 0 end
if kind == 'call' then
  stat('handled', 1)
  stat('handleMs', handleMs)
end
local ema = tonumber(redis.call('HGET', B .. ':aht', kind) or '-1')
local sec = handleMs / 1000
if ema < 0 then ema = sec else ema = ema * 0.8 + sec * 0.2 end
redis.call('HSET', B .. ':aht', kind, tostring(ema))
afterWork(a, ARGV[11], tonumber(ARGV[12]), a)
refreshAvail(a)
publish({ type = 'appeal-completed', agentId = a, appealId = id })
emitAgent(a)
return 1
`

/**
 * ARGV[9] agentId, ARGV[10] appealId, ARGV[11] wrap ISO, ARGV[12] wrap ms, ARGV[13] new queue,
 * ARGV[14] new skills, ARGV[15] new relax, ARGV[16] by (the agent, or the supervisor who took it
 * back), ARGV[17] '1' for a supervisor's take-back (no wrap-up; offline once nothing is held),
 * ARGV[18] not-before ms (optional): the entry waits aside until then, not offered (a call-back retry).
 * The entry keeps its original enqueue time and priority.
 */
export const TRANSFER = `${PRELUDE}${RELEASE}
local a, id = ARGV[9], ARGV[10]
local kind, _, enq, score = release(a, id)
if not kind then return 0 end
local q = ARGV[13]
redis.call('HSET', ekey(id), 'queue', q, 'kind', kind, 'score', score, 'enq', enq,
  'skills', ARGV[14], 'relax', ARGV[15], 'offer', '')
local notBefore = tonumber(ARGV[18] or '0') or 0
if notBefore > nowMs then
  -- Set aside until then (a call-back to try again later): the sweep puts it in its queue.
  redis.call('ZADD', B .. ':deferred', notBefore, id)
else
  redis.call('ZADD', wkey(q), tonumber(score), id)
  redis.call('SADD', B .. ':queues', q)
end
if ARGV[17] == '1' then
  -- Taken back by a supervisor: once nothing is left, the agent is signed out of the ACD (an open
  -- offer goes back too), so the appeals are not offered straight back to an absent agent.
  if redis.call('SCARD', appealsKey(a)) == 0 then
    redis.call('ZREM', B .. ':wrap-deadlines', a)
    local offer = redis.call('HGET', akey(a), 'offer') or ''
    if offer ~= '' then revokeOffer(offer, 'cancelled', 'offline', '', ARGV[16]) else setState(a, 'offline', '', ARGV[16]) end
  end
else
  afterWork(a, ARGV[11], tonumber(ARGV[12]), ARGV[16])
end
refreshAvail(a)
publish({ type = 'appeal-released', agentId = a, appealId = id })
emitAgent(a)
return 1
`

/**
 * Presence: consoles refresh their agent's score in <base>:presence (ms); an agent whose every console
 * has been gone since before ARGV[9] (ms) and who holds no appeal goes offline, its open offer going
 * back at its original place. An agent still holding appeals keeps its state (its work is not lost;
 * a supervisor sees it). ARGV[10] limit. Returns the agents sent offline.
 */
export const EXPIRE_PRESENCE = `${PRELUDE}
local out = {}
local pk = B .. ':presence'
for _, a in ipairs(redis.call('ZRANGEBYSCORE', pk, '-inf', ARGV[9], 'LIMIT', 0, tonumber(ARGV[10]))) do
  local st = redis.call('HGET', akey(a), 'state')
  if not st or st == 'offline' then
    redis.call('ZREM', pk, a)
  elseif redis.call('SCARD', appealsKey(a)) == 0 then
    redis.call('ZREM', pk, a)
    redis.call('ZREM', B .. ':wrap-deadlines', a)
    local offer = redis.call('HGET', akey(a), 'offer') or ''
    if offer ~= '' then
      revokeOffer(offer, 'cancelled', 'offline', '', 'presence')
    else
      setState(a, 'offline', '', 'presence')
      refreshAvail(a)
      emitAgent(a)
    end
    out[#out + 1] = a
  end
end
return out
`

/**
 * An agent takes an appeal nobody holds or waits for, to call the citizen back (a 漏接回拨 entry):
 * held as a call (no other call is offered meanwhile). ARGV[9] agentId, ARGV[10] appealId.
 * Returns 'ok', 'unknown' (agent), 'taken' (held or waiting), 'busy' (on a call or an offer open),
 * 'offline'.
 */
export const TAKE = `${PRELUDE}
local a, id = ARGV[9], ARGV[10]
local h = redis.call('HMGET', akey(a), 'state', 'calls', 'offer')
if not h[1] then return 'unknown' end
if h[1] == 'offline' then return 'offline' end
if redis.call('HEXISTS', B .. ':assigned', id) == 1 or redis.call('EXISTS', ekey(id)) == 1 then return 'taken' end
if tonumber(h[2] or '0') > 0 or (h[3] or '') ~= '' then return 'busy' end
redis.call('ZREM', B .. ':wrap-deadlines', a)
redis.call('HSET', B .. ':assigned', id, a .. '|' .. nowMs .. '|call|' .. nowMs .. '|' .. nowMs)
redis.call('SADD', appealsKey(a), id)
redis.call('HINCRBY', akey(a), 'calls', 1)
redis.call('HSET', akey(a), 'idle', nowMs)
if h[1] ~= 'not-ready' then setState(a, 'busy', '', a) end
refreshAvail(a)
publish({ type = 'appeal-assigned', agentId = a, appealId = id })
emitAgent(a)
return 'ok'
`
