/**
 * Handoffs with 110 against REAL servers: drachtio-server (config/drachtio) in front of FreeSWITCH
 * (config/freeswitch), sipp as the 110 dispatcher's switch (127.0.0.4) and as callers; the 110
 * platform's record endpoint a local HTTP server. The same scenarios as test/voice/emergency-calls.test.ts
 * and test/emergency/record-push.test.ts run against the peers in CI.
 * `npm run test:real`; without FreeSWITCH or drachtio-server: one SKIP line.
 */
import t from 'tap'
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { realSuiteSkipReason } from './helpers/freeswitch.ts'
import { drachtioSkipReason } from './helpers/drachtio.ts'
import { CARRIER_IP, PARTNER_110_IP, realEdgeScene, type RealEdgeScene } from './helpers/edge-scene.ts'
import { until } from './helpers/real-scene.ts'
import { agentOnACall } from './helpers/on-a-call.ts'
import { pushedBy110 } from '../helpers/partners.ts'

const skip = realSuiteSkipReason() ?? drachtioSkipReason()
if (skip) {
  t.plan(0, `real-server suite (emergency): ${skip}`)
} else {
  run()
}

/** A caller reaching 12345 from the carrier's address through the SIP edge. */
const throughTheEdge = (s: RealEdgeScene) => (caller: string) => s.sipp.callerVia(s.edgeTarget, CARRIER_IP, '12345', caller, { kind: 'wait' })

/** The 110 platform: fails `failures` times, then acknowledges. */
async function platform(t: { teardown(fn: () => unknown): void }, failures: number) {
  const got: { status: number; body: string; signature?: string }[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const status = got.length < failures ? 503 : 200
      got.push({ status, body, signature: req.headers['x-signature'] as string | undefined })
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"status":"acknowledged"}' : '{}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/records`, got }
}

function partnersWith110Endpoint(url: string) {
  const partners = JSON.parse(readFileSync('config/emergency-partners.json', 'utf8')) as { id: string; recordEndpoint: string }[]
  return partners.map((p) => (p.id === '110' ? { ...p, recordEndpoint: url } : p))
}

function run(): void {
  t.test('one-key transfer to 110 through the edge: the dispatcher gets the appeal in the SIP headers, the caller talks to it, the record is pushed (fails twice, then acknowledged)', async (t) => {
    const p = await platform(t, 2)
    const s = await realEdgeScene(t, {
      emergency: { partners: partnersWith110Endpoint(p.url) as never, push: { backoffMs: 200, maxBackoffMs: 400 } as never },
      env: { EMERGENCY_110_SECRET: 'partner-110-test-secret-0123456789' },
    })
    const { ws, uuid, leg, appealId } = await agentOnACall(t, s, '13800139110', throughTheEdge(s))
    const ack = await ws.request('emergency.transfer', { partner: '110', summary: '小区门口有人持刀打架' }, 30_000)
    t.match(ack, { type: 'ack', outcome: 'transferred', record: { partner: '110', how: 'one-key' } })
    const appeal = await s.queue.get(appealId)
    const invite = s.partner110.messages()
    t.match(invite, /INVITE sip:110@127\.0\.0\.4/, "the 110 dispatcher's switch was called on the partner trunk")
    t.match(invite, new RegExp(`User-To-User: ${Buffer.from(appeal!.appealNumber).toString('hex')};encoding=hex`, 'i'), 'User-to-User: the appeal number (RFC 7433)')
    t.match(invite, /Call-Info: <http[^>]+\/handoff\/[A-Za-z0-9_-]{32}>;purpose=emergency-CallData/i, 'Call-Info: the record link (RFC 7852)')
    t.match(invite, /From: [^\r\n]*sip:12345@/, "the centre's number as caller id")
    await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === leg, "the agent's leg ended")
    const bridged = await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_BRIDGE' && (e.uuid === uuid || e.headers['Other-Leg-Unique-ID'] === uuid) && /sofia\/carrier\/110@/.test(`${e.headers['Channel-Name']} ${e.headers['Other-Leg-Channel-Name']}`), 'caller bridged to the dispatcher')
    t.ok(bridged, 'the caller talks to the 110 dispatcher')
    await until(() => (p.got.length >= 3 ? true : undefined), 'the record pushed until acknowledged', 20_000)
    t.same(p.got.map((g) => g.status), [503, 503, 200], 'failed twice, then acknowledged')
    const records = (await ws.request('emergency.records', { appealId })).records as { status: string }[]
    await until(async () => (((await ws.request('emergency.records', { appealId })).records as { status: string }[])[0]?.status === 'acknowledged' ? true : undefined), 'acknowledged on the card', 10_000)
    t.ok(records.length === 1, 'one handoff on the appeal')
  })

  t.test('three-party call with 110: private consult (caller hears music), the agent leaves, the dispatcher hangs up', async (t) => {
    // The dispatcher talks 25 s, then hangs up.
    const s = await realEdgeScene(t, { partnerHangsUpAfterMs: 25_000 })
    const { ws, uuid, leg, appealId } = await agentOnACall(t, s, '13800139111', throughTheEdge(s))
    const ack = await ws.request('emergency.conference', { partner: '110' }, 30_000)
    t.match(ack, { type: 'ack', outcome: 'joined', record: { how: 'three-party' } })
    const room = `gw-${appealId}`
    const list = await until(async () => {
      const l = await s.fs.observer.api(`conference ${room} list`)
      return l.split('\n').filter((x) => x.includes(';')).length === 3 ? l : undefined
    }, 'three in the conference')
    t.match(list, /sofia\/carrier\/110@/, 'the dispatcher is in it')
    t.match(await ws.request('emergency.consult', { on: true }), { type: 'ack', consulting: true })
    const callerRow = (await s.fs.observer.api(`conference ${room} list`)).split('\n').find((l) => l.split(';')[2] === uuid) ?? ''
    t.notMatch(callerRow.split(';')[5] ?? 'x', /hear|speak/, 'the caller neither hears nor speaks (private consult)')
    await s.fs.observer.waitFor((e) => e.uuid === uuid && e.name === 'CUSTOM' && /play-file/.test(e.headers.Action ?? ''), 'music to the caller', 10_000).catch(() => undefined)
    t.match(await ws.request('emergency.consult', { on: false }), { type: 'ack', consulting: false })
    const back = (await s.fs.observer.api(`conference ${room} list`)).split('\n').find((l) => l.split(';')[2] === uuid) ?? ''
    t.match(back.split(';')[5], /hear/, 'the caller hears again')
    t.match(await ws.request('call.hangup', {}), { type: 'ack' }, 'the agent leaves')
    await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === leg, "the agent's leg ended")
    t.notOk(s.fs.observer.events.some((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === uuid), 'caller and dispatcher go on')
    await until(async () => ((await s.fs.observer.api(`conference ${room} list`)).split('\n').filter((x) => x.includes(';')).length <= 1 ? true : undefined), 'the dispatcher hung up', 40_000)
  })

  t.test('three-party call the dispatcher does not answer: the caller stays with the agent', async (t) => {
    const s = await realEdgeScene(t, { partnerBehaviour: 'busy' })
    const { ws, uuid, appealId } = await agentOnACall(t, s, '13800139112', throughTheEdge(s))
    t.match(await ws.request('emergency.conference', { partner: '110' }, 30_000), { type: 'ack', outcome: 'not-answered' })
    const l = await s.fs.observer.api(`conference gw-${appealId} list`)
    t.equal(l.split('\n').filter((x) => x.includes(';')).length, 2, 'caller and agent still talk in the conference')
    t.match(l, new RegExp(uuid), 'the caller is there')
  })

  t.test('a call 110 transfers in through the edge: no greeting, its record matched by the case number, ahead of the queue', async (t) => {
    const s = await realEdgeScene(t)
    await pushedBy110(s.emergency.desk, { reference: 'R8866', callerNumber: '13833334444', summary: '小区地下车库积水，非警情，转12345', category: '求助', address: '丰台区花园路7号' })
    await s.sipp.scenario('partner-caller', 'partner-caller.xml', ['-s', '12345', '-key', 'caller', '13833334444', '-key', 'caseref', 'R8866', '-key', 'uui', Buffer.from('R8866').toString('hex'), '-m', '1', s.edgeTarget], PARTNER_110_IP)
    const uuid = await s.fs.observer.callFrom('13833334444')
    const park = await s.fs.observer.waitFor((e) => e.uuid === uuid && e.name === 'CHANNEL_PARK', 'parked')
    t.equal(park.headers['variable_sip_h_X-Partner'], '110', 'FreeSWITCH got the partner from the edge')
    const appealId = await until(() => s.voice!.router.activeCalls().find((c) => c.callId === uuid)?.appealId, 'queued')
    const appeal = await s.queue.get(appealId)
    t.match(appeal, { origin: '110', priority: 0, category: '求助', location: { address: '丰台区花园路7号' } })
    t.match(appeal?.content, /公安110转来的来电（对方案件编号 R8866）：小区地下车库积水/)
    t.notOk(s.fs.observer.events.some((e) => e.uuid === uuid && /welcome\.wav$/.test(e.headers['Application-Data'] ?? '')), 'no greeting')
  })
}
