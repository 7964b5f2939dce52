import t from 'tap'
import { sign } from '../../channels/signed/signature.ts'
import { PRIORITY } from '../../gateway/domain/appeal.ts'
import { emergencyApp, SECRETS, type EmergencyTestApp } from './helpers/emergency-app.ts'

const NOW = new Date('2026-11-27T02:00:00Z')
const NOW_S = Math.floor(NOW.getTime() / 1000)

/** What 110's platform sends when it hands a non-police matter to 12345. */
function record110(extra: Record<string, unknown> = {}) {
  return {
    reference: 'JJ20261127-0042',
    callerNumber: '13812345678',
    callerName: '李先生',
    location: { address: '朝阳区望京西园三区12号楼' },
    summary: '来电人反映楼上住户装修噪音扰民，已持续一周，经110研判不属于治安案件，转12345处理。',
    category: '投诉',
    time: '2026-11-27T09:55:00+08:00',
    ...extra,
  }
}

async function push(e: EmergencyTestApp, partner: string, body: unknown, o: { secret?: string; timestamp?: number; signature?: string } = {}) {
  const payload = JSON.stringify(body)
  const ts = String(o.timestamp ?? NOW_S)
  const headers = { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': o.signature ?? sign(o.secret ?? SECRETS[partner] ?? 'x', ts, payload) }
  const res = await e.app.inject({ method: 'POST', url: `/v1/emergency/${partner}/records`, payload, headers })
  return { res, body: res.json() as Record<string, any>, payload, headers }
}

t.test("a partner's record becomes an appeal at the head of the one queue; a re-delivery is the same appeal", async (t) => {
  const e = await emergencyApp(t, { acd: true, clock: () => NOW })
  const web = await e.webAppeal('小区门口的路灯坏了一个星期', '13700001111')
  const call = await e.queue.submit({
    channel: 'voice',
    externalId: 'call-waiting-1',
    origin: '12345',
    receivedAt: new Date(NOW.getTime() - 60_000),
    draft: { citizen: { phone: '13600002222' }, content: '市民来电（拨打12345），请在通话中记录诉求内容。', call: { callId: 'call-waiting-1', serverId: 'fs1', mode: 'live' } },
  })

  const first = await push(e, '110', record110())
  t.equal(first.res.statusCode, 202)
  t.match(first.body, { id: /^ap_/, appealNumber: /^20261127-\d{6}$/, status: 'queued', created: true })
  const appeal = (await e.queue.get(first.body.id))!
  t.match(appeal, {
    channel: 'emergency',
    origin: '110',
    external: { channel: 'emergency', id: '110:JJ20261127-0042' },
    priority: PRIORITY.emergency,
    citizen: { phone: '13812345678', name: '李先生' },
    category: '投诉',
    receivedAt: '2026-11-27T01:55:00.000Z',
  })
  t.ok(PRIORITY.emergency < PRIORITY.voice && PRIORITY.voice < PRIORITY.written, 'the highest priority there is')
  t.match(await e.stack!.acd.position(appeal.id), { position: 1 }, 'ahead of the waiting call and the written appeal that came earlier')
  t.match(await e.stack!.acd.position(call.appeal.id), { position: 2 })
  t.match(await e.stack!.acd.position(web), { position: 3 })

  const again = await push(e, '110', record110(), { timestamp: NOW_S + 1 })
  t.equal(again.res.statusCode, 202)
  t.match(again.body, { id: first.body.id, appealNumber: first.body.appealNumber, created: false }, 're-delivered: the same appeal')
  t.equal((await e.queue.stats()).waiting, 3, 'nothing doubled in the queue')

  const found = await e.emergency.desk.findPartnerRecord('110', 'JJ20261127-0042')
  t.match(found, { partner: '110', reference: 'JJ20261127-0042', appealId: appeal.id, appealNumber: appeal.appealNumber, callerNumber: '13812345678', time: '2026-11-27T01:55:00.000Z' }, 'the SIP side finds it by reference')
  t.equal(await e.emergency.desk.findPartnerRecord('119', 'JJ20261127-0042'), undefined, "another partner's reference space")
  t.equal(await e.emergency.desk.findPartnerRecord('110', '../../etc'), undefined)
  t.notMatch(JSON.stringify(e.logs), /13812345678/, 'the number is never logged')
})

t.test('signatures, secrets, partners and bodies are checked with coded answers', async (t) => {
  const e = await emergencyApp(t, { clock: () => NOW, partnerIds: ['110', '119', '120'] })
  const bad = await push(e, '110', record110(), { secret: 'not-the-secret-000' })
  t.equal(bad.res.statusCode, 401)
  t.match(bad.body, { code: 'CH_ERR_BAD_SIGNATURE', field: '/headers/x-signature' })
  const stale = await push(e, '110', record110(), { timestamp: NOW_S - 3600 })
  t.equal(stale.res.statusCode, 401)
  t.equal(stale.body.code, 'CH_ERR_STALE_TIMESTAMP')
  const noHeader = await e.app.inject({ method: 'POST', url: '/v1/emergency/110/records', payload: record110() })
  t.equal(noHeader.statusCode, 401)
  t.equal(noHeader.json().code, 'CH_ERR_SIGNATURE_HEADER')

  const ok = await push(e, '110', record110({ reference: 'JJ-1' }))
  t.equal(ok.res.statusCode, 202)
  const replay = await e.app.inject({ method: 'POST', url: '/v1/emergency/110/records', payload: ok.payload, headers: ok.headers })
  t.equal(replay.statusCode, 401)
  t.equal(replay.json().code, 'CH_ERR_REPLAYED', 'a verbatim resend is a replay')

  const withOthersSecret = await push(e, '119', record110({ reference: 'JJ-2' }), { secret: SECRETS['110'] })
  t.equal(withOthersSecret.res.statusCode, 401, "110's secret does not sign for 119")
  const unknown = await push(e, '122', record110())
  t.equal(unknown.res.statusCode, 404)
  t.match(unknown.body, { code: 'EMERGENCY_ERR_UNKNOWN_PARTNER', field: '/params/partner' })
  const nonsense = await push(e, 'abc', record110())
  t.equal(nonsense.res.statusCode, 404)

  const missing = await push(e, '110', { ...record110({ reference: 'JJ-3' }), summary: undefined })
  t.equal(missing.res.statusCode, 400)
  t.match(missing.body, { code: 'CH_ERR_VALIDATION', field: '/summary' })
  const phone = await push(e, '110', record110({ reference: 'JJ-4', callerNumber: '12345' }))
  t.equal(phone.res.statusCode, 400)
  t.match(phone.body, { code: 'CH_ERR_INVALID_PHONE', field: '/callerNumber' })
  const future = await push(e, '110', record110({ reference: 'JJ-5', time: '2026-11-28T10:00:00+08:00' }))
  t.match(future.body, { code: 'CH_ERR_VALIDATION', field: '/time' })
  const changed = await push(e, '110', record110({ reference: 'JJ-1', summary: '另一件事' }))
  t.equal(changed.res.statusCode, 422)
  t.equal(changed.body.code, 'GW_ERR_IDEMPOTENCY_MISMATCH', 'a reference reused for another record is refused')
})

t.test('a partner whose secret is not set takes no pushes: 503 CH_ERR_CHANNEL_DISABLED', async (t) => {
  const e = await emergencyApp(t, { clock: () => NOW, env: { EMERGENCY_120_SECRET: '' } })
  const res = await push(e, '120', record110())
  t.equal(res.res.statusCode, 503)
  t.equal(res.body.code, 'CH_ERR_CHANNEL_DISABLED')
  t.equal((await push(e, '110', record110())).res.statusCode, 202, 'the others do')
})
