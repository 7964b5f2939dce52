/**
 * What an agent does to calls from the console, against a REAL FreeSWITCH (config/freeswitch) with
 * sipp phones and carrier: blind transfer to another agent and to a number, 回拨 of a 漏接回拨 entry
 * through the agent's own phone, and the call recording served with range requests. The same
 * scenarios as test/voice/call-control.test.ts and console-call-back.test.ts run against the peer.
 * `npm run test:real`; without a FreeSWITCH binary the file prints one SKIP line and passes.
 */
import t from 'tap'
import { existsSync, statSync } from 'node:fs'
import { promptMs, realSuiteSkipReason } from './helpers/freeswitch.ts'
import { realScene, until } from './helpers/real-scene.ts'
import { agentSocket } from '../console/helpers/matter-scene.ts'
import { agentOnACall } from './helpers/on-a-call.ts'

const skip = realSuiteSkipReason()
if (skip) {
  t.plan(0, `real-server suite: ${skip}`)
} else {
  run()
}

function run(): void {
  t.test('blind transfer to agent 1002: the caller waits with music, 1002 answers, the caller is bridged to 1002', async (t) => {
    const s = await realScene(t)
    const { ws, uuid, leg } = await agentOnACall(t, s, '13800139001')
    const p1002 = await s.sipp.agentPhone('1002', 'answer')
    const appealId = (await s.stack.acd.status('1001')).appealIds[0]
    const mark = s.fs.observer.events.length
    t.match(await ws.request('call.transfer', { target: { agentId: '1002' } }), { type: 'ack' })
    await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === leg, "1001's leg ended")
    await s.stack.acd.setState('1002', 'ready')
    const bridge = await s.fs.observer.waitFor(
      (e) => s.fs.observer.events.indexOf(e) >= mark && e.name === 'CHANNEL_BRIDGE' && e.uuid === uuid,
      'the caller bridged again',
      20_000,
    )
    t.match(bridge.headers['Other-Leg-Channel-Name'], /^sofia\/agents\/1002@/, 'to 1002')
    t.match(p1002.messages(), /INVITE sip:1002@/, "1002's phone rang")
    t.same((await s.stack.acd.status('1002')).appealIds, [appealId], '1002 holds the appeal')
    t.same((await s.stack.acd.status('1001')).appealIds, [], '1001 let go of it')
  })

  t.test('blind transfer to a number: the caller is bridged through the carrier and the agent leg ends', async (t) => {
    const s = await realScene(t)
    const { ws, uuid, leg } = await agentOnACall(t, s, '13800139002')
    t.match(await ws.request('call.transfer', { target: { number: '12319' } }), { type: 'ack' })
    await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === leg, "the agent's leg ended")
    const bridge = await s.fs.observer.waitFor(
      (e) => e.name === 'CHANNEL_BRIDGE' && e.uuid === uuid && /^sofia\/carrier\/12319@/.test(e.headers['Other-Leg-Channel-Name'] ?? ''),
      'the caller bridged to the number',
    )
    t.ok(bridge, 'caller and the number talk')
    t.match(s.carrier.messages(), /INVITE sip:12319@127\.0\.0\.1/, 'the number was called through the carrier')
  })

  t.test('回拨 from the console: a 漏接回拨 entry is taken, the agent phone is called with auto-answer, then the citizen; both bridged and recorded', async (t) => {
    const s = await realScene(t)
    const caller = await s.sipp.caller('12333', '13700006666', { kind: 'hangup', afterMs: promptMs(s.fs.promptsDir, 'welcome') + 2500 })
    const uuid = await s.fs.observer.callFrom('13700006666')
    const appealId = await until(() => s.voice!.router.activeCalls().find((c) => c.callId === uuid)?.appealId, 'queued')
    t.equal(await caller.exited, 0, 'the caller gave up waiting')
    await until(() => s.voice!.missed.get(appealId), '漏接回拨 entry')

    const phone = await s.sipp.agentPhone('1001', 'answer')
    const ws = await agentSocket(s, '1001', t)
    await ws.request('state.set', { state: 'not-ready', reason: '小休' })
    t.match(await ws.request('call.back', { appealId }, 20_000), { type: 'ack', outcome: 'connected' })
    t.match(phone.messages(), /INVITE sip:1001@[\s\S]*answer-after=0/i, "the agent's phone was asked to answer by itself")
    const citizenLeg = s.fs.observer.events.find((e) => e.name === 'CHANNEL_CREATE' && e.headers['Call-Direction'] === 'outbound' && /^sofia\/carrier\/13700006666@/.test(e.headers['Channel-Name'] ?? ''))
    t.ok(citizenLeg, 'the citizen was called through the carrier')
    await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_BRIDGE' && (e.uuid === citizenLeg!.uuid || e.headers['Other-Leg-Unique-ID'] === citizenLeg!.uuid), 'citizen and agent bridged')
    t.same((await s.stack.acd.status('1001')).appealIds, [appealId], 'the agent holds the appeal')
    t.notOk(await s.voice!.missed.get(appealId), 'off the 漏接回拨 list')

    // They talk a few seconds; the recording is served to the agent who holds it, with ranges.
    await new Promise((r) => setTimeout(r, 3000))
    const recording = (await s.queue.get(appealId))!.call!.recording!
    t.notMatch(recording, /13700006666/, 'no phone number in the path')
    await until(() => existsSync(recording) && statSync(recording).size > 8000, 'audio in the recording file', 8000)
    const token = await s.token('1001')
    const part = await fetch(`${s.url}/v1/appeals/${appealId}/recording`, { headers: { authorization: `Bearer ${token}`, range: 'bytes=0-43' } })
    t.equal(part.status, 206, 'a range request is answered 206')
    t.match(part.headers.get('content-range'), /^bytes 0-43\/\d+$/)
    t.equal(Buffer.from(await part.arrayBuffer()).subarray(0, 4).toString(), 'RIFF', 'a WAV file FreeSWITCH wrote')
    const other = await fetch(`${s.url}/v1/appeals/${appealId}/recording`, { headers: { authorization: `Bearer ${await s.token('1002')}` } })
    t.equal(other.status, 403, 'another agent may not hear it')
  })
}
