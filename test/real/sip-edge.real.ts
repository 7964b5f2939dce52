/**
 * The SIP edge against a REAL drachtio-server (config/drachtio) in front of a REAL FreeSWITCH
 * (config/freeswitch), sipp as carrier, partner, scanner and phones on their own loopback addresses.
 * The same scenarios as test/sip/edge.test.ts run against the drachtio peer in CI.
 * `npm run test:real`; without a FreeSWITCH or a drachtio-server binary: one SKIP line.
 */
import t from 'tap'
import { promptMs, realSuiteSkipReason } from './helpers/freeswitch.ts'
import { drachtioSkipReason } from './helpers/drachtio.ts'
import { CARRIER_IP, UNKNOWN_IP, realEdgeScene, type RealEdgeScene } from './helpers/edge-scene.ts'
import { until } from './helpers/real-scene.ts'

const skip = realSuiteSkipReason() ?? drachtioSkipReason()
if (skip) {
  t.plan(0, `real-server suite (SIP edge): ${skip}`)
} else {
  run()
}

const responses = (text: string, code: number) => (text.match(new RegExp(`SIP/2\\.0 ${code} `, 'g')) ?? []).length

async function queued(s: RealEdgeScene, callerNumber: string): Promise<{ uuid: string; appealId: string }> {
  const uuid = await s.fs.observer.callFrom(callerNumber)
  const appealId = await until(() => s.voice!.router.activeCalls().find((c) => c.callId === uuid)?.appealId, 'queued')
  return { uuid, appealId }
}

function run(): void {
  t.test('an INVITE from an unknown address gets 403 from the edge and never reaches FreeSWITCH', async (t) => {
    const s = await realEdgeScene(t)
    const caller = await s.sipp.callerVia(s.edgeTarget, UNKNOWN_IP, '12345', '13800000009', { kind: 'wait' })
    await caller.exited
    t.ok(responses(caller.messages(), 403) >= 1, 'the caller got 403')
    await new Promise((r) => setTimeout(r, 500))
    t.notOk(s.fs.observer.events.some((e) => e.name === 'CHANNEL_CREATE'), 'no channel in FreeSWITCH')
    t.ok(s.logs.some((l) => l.why === 'unknown-source' && l.source === UNKNOWN_IP), 'a log line with the source')
  })

  t.test('an old number (12315) from the carrier trunk is routed through the edge into FreeSWITCH with its origin and reaches agent 1001', async (t) => {
    const s = await realEdgeScene(t)
    const phone = await s.sipp.agentPhone('1001', 'answer')
    await s.stack.acd.setState('1001', 'ready')
    const caller = await s.sipp.callerVia(s.edgeTarget, CARRIER_IP, '12315', '13800138000', { kind: 'hangup', afterMs: promptMs(s.fs.promptsDir, 'welcome') + 8000 })
    const uuid = await s.fs.observer.callFrom('13800138000')
    const park = await s.fs.observer.waitFor((e) => e.uuid === uuid && e.name === 'CHANNEL_PARK', 'parked for the gateway')
    t.equal(park.headers['variable_sip_h_X-Trunk'], 'carrier-main', 'FreeSWITCH got the trunk from the edge')
    t.equal(park.headers['variable_sip_h_X-Hotline'], '12315', 'and the hotline')
    t.equal(park.headers.variable_hotline, '12315', "the shipped dialplan's hotline variable")
    await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_BRIDGE' && e.uuid === uuid, 'bridged to 1001', 30_000)
    t.match(phone.messages(), /INVITE sip:1001@/, "1001's phone rang")
    const appealId = (await s.stack.acd.status('1001')).appealIds[0]
    t.match(await s.queue.get(appealId), { channel: 'voice', origin: '12315', citizen: { phone: '13800138000' } }, 'the appeal keeps its origin')
    t.equal(await caller.exited, 0, 'the caller talked and hung up through the edge')
    await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === uuid, 'the call ended in FreeSWITCH')
    await until(() => s.edge!.admission.active('carrier-main') === 0 || undefined, 'the trunk slot freed', 5000)
  })

  t.test('a trunk over its call limit gets 503 with Retry-After', async (t) => {
    const s = await realEdgeScene(t, { carrierTrunk: { maxCalls: 1 } })
    await s.sipp.callerVia(s.edgeTarget, CARRIER_IP, '12345', '13800000001', { kind: 'wait' })
    await queued(s, '13800000001')
    const second = await s.sipp.callerVia(s.edgeTarget, CARRIER_IP, '12345', '13800000002', { kind: 'wait' })
    await second.exited
    t.ok(responses(second.messages(), 503) >= 1, 'the second call got 503')
    t.match(second.messages(), /Retry-After: 5/)
  })

  t.test('scanner User-Agents are refused: by drachtio-server itself (603) and by the edge (403, logged)', async (t) => {
    const s = await realEdgeScene(t)
    const known = await s.sipp.scenario('scanner-fs', 'scanner.xml', ['-s', '100', '-key', 'ua', 'friendly-scanner', '-m', '1', s.edgeTarget], CARRIER_IP)
    t.equal(await known.exited, 0, 'friendly-scanner refused')
    t.ok(responses(known.messages(), 603) >= 1, "by drachtio-server's spammers list (603)")
    const other = await s.sipp.scenario('scanner-sipsak', 'scanner.xml', ['-s', '100', '-key', 'ua', 'sipsak 0.9.8', '-m', '1', s.edgeTarget], CARRIER_IP)
    t.equal(await other.exited, 0, 'sipsak refused')
    t.ok(responses(other.messages(), 403) >= 1, "by the edge's blocklist (403)")
    t.ok(s.logs.some((l) => l.why === 'scanner'), 'logged by the edge')
    t.notOk(s.fs.observer.events.some((e) => e.name === 'CHANNEL_CREATE'), 'nothing reached FreeSWITCH')
  })

  t.test("a flood of OPTIONS from one address is throttled while the carrier's calls go through", async (t) => {
    const s = await realEdgeScene(t, { sip: { perSourceRequestsPerSecond: 20 } })
    const flood = await s.sipp.scenario('options-flood', 'options.xml', ['-r', '200', '-m', '600', s.edgeTarget], UNKNOWN_IP)
    const caller = await s.sipp.callerVia(s.edgeTarget, CARRIER_IP, '12345', '13800000003', { kind: 'hangup', afterMs: 3000 })
    t.equal(await caller.exited, 0, "the carrier's caller was answered and hung up")
    await flood.exited
    const m = flood.messages()
    t.ok(responses(m, 503) > 300, `the flood was throttled (${responses(m, 503)} x 503, ${responses(m, 403)} x 403)`)
  })

  t.test('RFC 4475 torture messages leave the edge up: a call after them is answered', async (t) => {
    const s = await realEdgeScene(t)
    const torture = await s.sipp.scenario('torture', 'torture.xml', ['-m', '1', s.edgeTarget], CARRIER_IP)
    await torture.exited
    t.equal(s.edge!.link.state, 'connected', 'the edge is still connected to drachtio-server')
    const caller = await s.sipp.callerVia(s.edgeTarget, CARRIER_IP, '12345', '13800000004', { kind: 'hangup', afterMs: 2000 })
    t.equal(await caller.exited, 0, 'a normal call right after is answered')
  })

  t.test('drachtio-server restarted mid-call: the edge reconnects, the call in FreeSWITCH goes on, new calls go through', async (t) => {
    const s = await realEdgeScene(t)
    await s.sipp.callerVia(s.edgeTarget, CARRIER_IP, '12345', '13800000005', { kind: 'wait' })
    const { uuid } = await queued(s, '13800000005')
    await s.drachtio.restart()
    await until(() => (s.edge!.link.state === 'connected' ? true : undefined), 'the edge reconnected', 10_000)
    await new Promise((r) => setTimeout(r, 1000))
    t.notOk(s.fs.observer.events.some((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === uuid), 'the call in FreeSWITCH goes on')
    t.ok(s.voice!.router.activeCalls().some((c) => c.callId === uuid), 'still waiting in the queue')
    const caller = await s.sipp.callerVia(s.edgeTarget, CARRIER_IP, '12345', '13800000006', { kind: 'hangup', afterMs: 2000 })
    t.equal(await caller.exited, 0, 'a new call goes through the restarted server')
  })

  t.test('a FreeSWITCH of two taken down: out of the pool within 5 s, new calls go to the other', async (t) => {
    const s = await realEdgeScene(t, { secondFs: true })
    s.fs.kill()
    const killed = Date.now()
    await until(() => (s.edge!.pool.get('fs1')?.up === false ? true : undefined), 'fs1 out of the SIP pool', 6000)
    t.ok(Date.now() - killed <= 5000, `out after ${Date.now() - killed} ms`)
    const caller = await s.sipp.callerVia(s.edgeTarget, CARRIER_IP, '12345', '13800000007', { kind: 'wait' })
    const uuid = await s.fs2!.observer.callFrom('13800000007')
    t.ok(uuid, 'the call arrived on fs2')
    await until(() => s.voice!.router.activeCalls().find((c) => c.callId === uuid)?.appealId, 'queued from fs2')
    t.pass('the gateway drives it on fs2')
    await caller.kill()
  })
}
