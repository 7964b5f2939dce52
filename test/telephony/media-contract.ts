/**
 * The media port's contract (gateway/domain/media.ts, MediaControl): one list of scenarios, run through
 * a real FreeswitchMedia against whatever a World puts on the far side of the event socket — the
 * wire-level FreeSWITCH peer in CI (test/telephony/media-contract.test.ts) and a real FreeSWITCH with
 * sipp callers and phones (test/real/media-contract.real.ts). Every assertion is about what the
 * port's user observes (promises, coded errors, MediaEvents), never about the transport. When the two
 * worlds disagree, the scenario fails on one of them: that is the point of the suite.
 */
import type { Extra, TAP } from 'tap'
import { pino } from 'pino'
import { FreeswitchMedia } from '../../gateway/telephony/freeswitch/freeswitch-media.ts'
import type { MediaEvent } from '../../gateway/domain/media.ts'

/** A tap test as the contract uses it (the root `t` or a subtest). */
export type ContractTest = Parameters<Parameters<TAP['test']>[0]>[0]

/** The far side of the event socket: a media server, its callers and its agents' phones. */
export interface World {
  /** Named in the test titles ('peer', 'real FreeSWITCH'). */
  name: string
  server: { host: string; port: number; password: string }
  /** A playable file on that server. */
  promptFile: string
  /** How long `promptFile` plays there (ms). */
  promptMs: number
  /** How long to wait for something the far side does (an INVITE through sipp is slower than the peer). */
  patienceMs: number
  /** A citizen dials `dialed` from `callerNumber` and waits (silent); resolves once the call is under way. */
  call(dialed: string, callerNumber: string): Promise<void>
  /** The caller of the last call() presses 1 (RFC 2833 on a real server). */
  pressOne(): Promise<void>
  /** The caller of the last call() hangs up (a BYE from the caller on a real server). */
  hangUpCaller(): Promise<void>
  /** Agent `id`'s phone (`user/<id>`) is registered and answers, or is busy. */
  agent(id: string, behaviour: 'answer' | 'busy'): Promise<void>
  /**
   * Assertions this world is known to fail, keyed by the contract's assertion key, with the finding
   * (reported, not hidden: the assertion still runs and shows as todo).
   */
  known?: Record<string, string>
}

const SERVER = 'fs1'
const UNKNOWN = '00000000-0000-4000-8000-000000000000'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

interface Port {
  m: FreeswitchMedia
  events: MediaEvent[]
  /** Resolves with the first event (seen so far or later) that matches. */
  event<E extends MediaEvent['type']>(type: E, pred: (e: Extract<MediaEvent, { type: E }>) => boolean, what: string): Promise<Extract<MediaEvent, { type: E }>>
}

function port(t: ContractTest, w: World, password = w.server.password): Port {
  const m = new FreeswitchMedia({
    servers: [{ id: SERVER, host: w.server.host, port: w.server.port, password }],
    timeouts: { connectMs: 3000, commandMs: 3000 },
    backoff: { initialMs: 50, maxMs: 400 },
    health: { intervalMs: 500, timeoutMs: 1500 },
    downAfterMs: 1500,
    logger: pino({ level: 'silent' }),
  })
  const events: MediaEvent[] = []
  m.subscribe((e) => events.push(e))
  t.teardown(() => m.close())
  return {
    m,
    events,
    event: async (type, pred, what) => {
      const end = Date.now() + w.patienceMs
      for (;;) {
        const hit = events.find((e) => e.type === type && pred(e as never))
        if (hit) return hit as never
        if (Date.now() > end) throw new Error(`${w.name}: no ${type} event (${what}) within ${w.patienceMs} ms; events: ${JSON.stringify(events.map((e) => e.type))}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
  }
}

/** Extra for an assertion this world is known to fail (todo with the finding), else nothing. */
function known(w: World, key: string): Extra {
  const finding = w.known?.[key]
  return finding ? { todo: `${key}: ${finding}` } : {}
}

async function caught(p: Promise<unknown>): Promise<{ code?: string; cause?: unknown; message?: string } | 'resolved'> {
  return p.then(
    () => 'resolved' as const,
    (e: { code?: string; cause?: unknown; message?: string }) => e,
  )
}

/** Places a call and waits for the port to report it; returns its id. */
async function arrived(p: Port, w: World, dialed: string, callerNumber: string): Promise<string> {
  await w.call(dialed, callerNumber)
  const e = await p.event('call-arrived', (e) => e.call.callerNumber === callerNumber, `the call from ${callerNumber}`)
  return e.call.callId
}

export function mediaContract(t: ContractTest, makeWorld: (t: ContractTest) => Promise<World>): void {
  t.test('1. connects with the right password; a parked inbound call arrives with the dialed hotline and the caller number', async (t) => {
    const w = await makeWorld(t)
    const p = port(t, w)
    await p.m.start()
    t.same(p.m.upServers(), [SERVER], 'the server is up')
    await p.event('server-up', (e) => e.serverId === SERVER, 'server-up at start')
    t.pass('server-up reported at start')

    await w.call('12319', '13800138001')
    const e = await p.event('call-arrived', (e) => e.call.callerNumber === '13800138001', 'the inbound call')
    t.match(e.call, { serverId: SERVER, dialed: '12319', callerNumber: '13800138001' }, 'call-arrived with the dialed hotline and the caller number')
    t.match(e.call.callId, UUID, 'the call id is a uuid')
    t.ok(e.call.startedAt instanceof Date && Math.abs(Date.now() - e.call.startedAt.getTime()) < 60_000, 'startedAt is about now')
    t.equal(p.events.filter((x) => x.type === 'call-arrived').length, 1, 'reported once')
    t.notOk(
      p.events.some((x) => x.type === 'answered' && x.callId === e.call.callId),
      'a parked call is not answered until the gateway answers it',
      known(w, 'parked-unanswered'),
    )
  })

  t.test('2. take, answer, play a file to its end; variables; the caller hangs up: a hangup event', async (t) => {
    const w = await makeWorld(t)
    const p = port(t, w)
    await p.m.start()
    const call = await arrived(p, w, '12345', '13800138002')
    const answeredEarly = p.events.some((x) => x.type === 'answered' && x.callId === call)
    t.notOk(answeredEarly, 'not answered before answer()', known(w, 'parked-unanswered'))

    await p.m.take(SERVER, call)
    t.pass('take resolves')
    await p.m.answer(SERVER, call)
    await p.event('answered', (e) => e.callId === call, 'the caller answered')
    t.pass('an answered event for the call')

    const started = Date.now()
    await p.m.play(SERVER, call, w.promptFile)
    const took = Date.now() - started
    t.ok(took >= w.promptMs * 0.9, `play resolves after the file has played (${took} ms for a ${w.promptMs} ms file)`)
    t.ok(took < w.promptMs + 3000, `and not long after (${took} ms)`)
    t.notOk(p.events.some((e) => e.type === 'hangup' && e.callId === call), 'the caller is still on the line after the prompt')

    await p.m.setVar(SERVER, call, 'gw_contract', 'kept')
    t.equal(await p.m.getVar(SERVER, call, 'gw_contract'), 'kept', 'getVar reads what setVar wrote')
    t.equal(await p.m.getVar(SERVER, call, 'gw_contract_never_set'), undefined, 'an unset variable is undefined')
    t.equal(await p.m.getVar(SERVER, call, 'hotline'), '12345', 'the hotline variable of the parked call')

    await w.hangUpCaller()
    const hangup = await p.event('hangup', (e) => e.callId === call, 'the caller hung up')
    t.equal(hangup.cause, 'NORMAL_CLEARING', 'cause NORMAL_CLEARING')
    t.equal(p.events.filter((e) => e.type === 'hangup' && e.callId === call).length, 1, 'one hangup event')
  })

  t.test('3. originate to a phone that answers, bridge it to the caller; the caller hangs up: both legs end', async (t) => {
    const w = await makeWorld(t)
    const p = port(t, w)
    await p.m.start()
    await w.agent('1001', 'answer')
    const call = await arrived(p, w, '12345', '13800138003')
    await p.m.take(SERVER, call)
    await p.m.answer(SERVER, call)

    const leg = await p.m.originate({ serverId: SERVER, target: 'user/1001', callerIdNumber: '12345', timeoutSeconds: 10, vars: { gw_leg: 'agent' } })
    t.match(leg, UUID, 'originate resolves with the new leg id')
    await p.event('answered', (e) => e.callId === leg, 'the agent leg answered')
    t.pass('an answered event for the agent leg')
    t.notOk(p.events.some((e) => e.type === 'call-arrived' && e.call.callId === leg), 'the gateway’s own leg is not an inbound call')

    await p.m.bridge(SERVER, call, leg)
    const bridged = await p.event('bridged', (e) => e.callId === call || e.callId === leg, 'caller and agent bridged')
    t.same({ callId: bridged.callId, otherCallId: bridged.otherCallId }, { callId: call, otherCallId: leg }, 'bridged: the caller, with the agent leg as the other leg')

    await w.hangUpCaller()
    const a = await p.event('hangup', (e) => e.callId === call, 'the caller hung up')
    t.equal(a.cause, 'NORMAL_CLEARING', 'the caller leg ends NORMAL_CLEARING')
    const b = await p.event('hangup', (e) => e.callId === leg, 'the agent leg ends with it')
    t.equal(b.cause, 'NORMAL_CLEARING', 'the agent leg ends NORMAL_CLEARING')
  })

  t.test('4. originate to a busy phone rejects USER_BUSY; to a phone not registered, USER_NOT_REGISTERED', async (t) => {
    const w = await makeWorld(t)
    const p = port(t, w)
    await p.m.start()
    await w.agent('1001', 'busy')
    const busy = await caught(p.m.originate({ serverId: SERVER, target: 'user/1001', callerIdNumber: '12345', timeoutSeconds: 10, vars: { gw_leg: 'agent' } }))
    t.match(busy, { code: 'MEDIA_ERR_ORIGINATE_FAILED', cause: 'USER_BUSY' }, 'busy: MEDIA_ERR_ORIGINATE_FAILED, cause USER_BUSY')
    const absent = await caught(p.m.originate({ serverId: SERVER, target: 'user/1002', callerIdNumber: '12345', timeoutSeconds: 10, vars: { gw_leg: 'agent' } }))
    t.match(absent, { code: 'MEDIA_ERR_ORIGINATE_FAILED', cause: 'USER_NOT_REGISTERED' }, 'not registered: MEDIA_ERR_ORIGINATE_FAILED, cause USER_NOT_REGISTERED')
    t.notOk(p.events.some((e) => e.type === 'call-arrived'), 'no inbound call reported')
  })

  t.test('5. commands on an unknown call: coded MEDIA_ERR_COMMAND; ending or silencing a call that is gone is not an error', async (t) => {
    const w = await makeWorld(t)
    const p = port(t, w)
    await p.m.start()
    const other = '00000000-0000-4000-8000-000000000001'
    t.match(await caught(p.m.bridge(SERVER, UNKNOWN, other)), { code: 'MEDIA_ERR_COMMAND', cause: /Invalid uuid/ }, 'bridge: -ERR Invalid uuid')
    t.match(await caught(p.m.answer(SERVER, UNKNOWN)), { code: 'MEDIA_ERR_COMMAND', cause: /invalid session id/ }, 'answer (sendmsg): -ERR invalid session id')
    t.match(await caught(p.m.play(SERVER, UNKNOWN, w.promptFile)), { code: 'MEDIA_ERR_COMMAND', cause: /invalid session id/ }, 'play (sendmsg): -ERR invalid session id')
    t.match(await caught(p.m.setVar(SERVER, UNKNOWN, 'gw_x', 'y')), { code: 'MEDIA_ERR_COMMAND', cause: /No such channel/ }, 'setVar: -ERR No such channel')
    t.match(await caught(p.m.getVar(SERVER, UNKNOWN, 'gw_x')), { code: 'MEDIA_ERR_COMMAND', cause: /No such channel/ }, 'getVar: -ERR No such channel')
    t.equal(await caught(p.m.hangup(SERVER, UNKNOWN)), 'resolved', 'hangup of a call that is gone resolves')
    t.equal(await caught(p.m.stopMedia(SERVER, UNKNOWN)), 'resolved', 'stopMedia of a call that is gone resolves')
    t.same(p.m.upServers(), [SERVER], 'the server is still up')
  })

  t.test('6. a wrong event-socket password: start rejects MEDIA_ERR_AUTH at once', async (t) => {
    const w = await makeWorld(t)
    const p = port(t, w, `${w.server.password}-wrong`)
    const started = Date.now()
    const err = await caught(p.m.start())
    t.match(err, { code: 'MEDIA_ERR_AUTH' }, 'MEDIA_ERR_AUTH')
    t.ok(Date.now() - started < 3000, `refused at once (${Date.now() - started} ms), not after a connect timeout`)
    t.same(p.m.upServers(), [], 'no server up')
  })

  t.test('7. the caller presses 1 (RFC 2833): collect returns 1 and a dtmf event carries the digit', async (t) => {
    const w = await makeWorld(t)
    const p = port(t, w)
    await p.m.start()
    const call = await arrived(p, w, '12345', '13800138007')
    await p.m.take(SERVER, call)
    await p.m.answer(SERVER, call)
    await p.event('answered', (e) => e.callId === call, 'the caller answered')
    const collecting = p.m.collect(SERVER, call, { prompt: w.promptFile, minDigits: 1, maxDigits: 1, tries: 1, timeoutMs: 5000, pattern: '\\d' })
    await new Promise((r) => setTimeout(r, 300))
    await w.pressOne()
    t.equal(await collecting, '1', 'collect resolves with the digit pressed')
    const dtmf = await p.event('dtmf', (e) => e.callId === call, 'the digit')
    t.equal(dtmf.digit, '1', 'a dtmf event with digit 1')
    t.equal(p.events.filter((e) => e.type === 'dtmf' && e.callId === call).length, 1, 'one dtmf event for one key press')
    await w.hangUpCaller()
    await p.event('hangup', (e) => e.callId === call, 'the caller hung up')
    t.pass('hangup after the digits')
  })
}
