import t from 'tap'
import { consoleApp } from './helpers/console-app.ts'
import { TestClient } from './helpers/ws-client.ts'
import { acceptNext, agentSocket, threeCitizensOnePlace, WATER_CUT } from './helpers/matter-scene.ts'
import type { MatterCard, MatterCandidate } from '../../agent-console/server/matter-card.ts'
import type { MatterAlert } from '../../gateway/matter/alerts.ts'
import { REASON_LABELS_ZH } from '../../gateway/matter/labels-zh.ts'
import type { CompletedAppeal } from '../../gateway/acd/appeal-records.ts'

const numberOf = async (c: Awaited<ReturnType<typeof consoleApp>>, id: string) => (await c.queue.get(id))!.appealNumber

t.test('the offer of the third appeal about one water cut carries its matter: 集中诉求, the other two appeals and why', async (t) => {
  const c = await consoleApp(t)
  const { ids, a, offer } = await threeCitizensOnePlace(c, t)
  const m = offer.matter as MatterCard
  t.equal(m.flags.concentrated, true, '集中诉求')
  t.equal(m.citizens, 3)
  t.equal(m.flags.repeat, false, 'three different citizens: no 重复诉求')
  t.same(m.others.map((o) => o.appealNumber), [await numberOf(c, ids[0]!), await numberOf(c, ids[1]!)], 'the other two, oldest first')
  t.same(m.others.map((o) => o.channel), ['web', 'web'])
  t.same(m.others.map((o) => o.phone), ['139****0001', '139****0002'], "other citizens' phones masked")
  t.match(m.others[0]!.excerpt, /^锦绣华庭小区从昨天早上开始停水/)
  t.ok(m.others[0]!.excerpt.length <= 61, 'a short excerpt, not the whole text')
  t.ok(m.reasons.includes('same-place') && m.reasons.includes('same-problem'), `reasons: ${m.reasons}`)
  t.ok(m.others.every((o) => o.reasons.length > 0), 'each other appeal says why it is in the matter')

  const accepted = await a.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })
  t.equal((accepted.matter as MatterCard).matterId, m.matterId, 'the accept ack carries it too')
  const got = await a.request('appeal.get', { appealId: ids[2] })
  t.equal((got.matter as MatterCard).matterId, m.matterId, 'and appeal.get')

})

t.test('a reconnecting console gets the matter of each held appeal and the 并案 labels from labels-zh.ts', async (t) => {
  const c = await consoleApp(t)
  const { ids, a, offer } = await threeCitizensOnePlace(c, t)
  await a.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  t.teardown(() => ws.close())
  const welcome = await ws.type('welcome')
  const matters = welcome.matters as Record<string, MatterCard>
  t.equal(matters[ids[2]!]?.flags.concentrated, true)
  const labels = (welcome.settings as { matterLabels: { reasons: Record<string, string>; flags: Record<string, string> } }).matterLabels
  t.same(labels.reasons, REASON_LABELS_ZH, 'one source for the wording')
  t.equal(labels.flags.concentrated, '集中诉求')
})

t.test('a repeat appeal of the same citizen shows 重复诉求 with the earlier appeal number', async (t) => {
  const c = await consoleApp(t)
  const w = WATER_CUT[0]
  const first = await c.webAppeal(w.content, w.phone, w.address)
  const a = await agentSocket(c, '1001', t)
  await a.request('state.set', { state: 'ready' })
  await acceptNext(a, first)
  const second = await c.webAppeal('又来反映锦绣华庭小区停水的事，还是没有来水', w.phone, w.address)
  const { offer } = await acceptNext(a, second)
  const m = offer.matter as MatterCard
  t.equal(m.flags.repeat, true)
  t.same(m.flags.repeatOf, [await numberOf(c, first)])
  t.ok(m.reasons.includes('same-citizen'))
})

t.test('confirm, detach and attach go through the socket, are kept by the linker, and the card follows', async (t) => {
  const c = await consoleApp(t)
  const { ids, a } = await threeCitizensOnePlace(c, t)
  const third = ids[2]!
  const original = (await c.linker.get(third))!.matterId

  const confirmed = await a.request('matter.confirm', { appealId: third })
  t.match(confirmed, { type: 'ack', for: 'matter.confirm', matter: { matterId: original, decision: { kind: 'confirmed', by: '1001' } } })

  const detached = await a.request('matter.detach', { appealId: third })
  const d = detached.matter as MatterCard
  t.not(d.matterId, original, 'split off into a matter of its own')
  t.same(d.others, [], 'the card no longer lists the other two')
  t.same(d.reasons, [], 'nor reasons that no longer hold')
  t.equal(d.flags.concentrated, false)
  t.equal(d.decision?.kind, 'detached')
  t.equal((await c.linker.get(third))!.matterId, d.matterId, 'the linker keeps it')

  const suggested = await a.request('matter.suggest', { appealId: third })
  const candidates = suggested.candidates as MatterCandidate[]
  t.notOk(candidates.some((x) => x.matterId === original), 'a detached pair is not suggested again')

  const attached = await a.request('matter.attach', { appealId: third, matterId: original })
  const m = attached.matter as MatterCard
  t.equal(m.matterId, original, 'attached back by hand')
  t.equal(m.others.length, 2)
  t.equal(m.decision?.kind, 'attached')

  const lines = c.logs.filter((l) => l.msg === 'matter decision')
  t.same(lines.map((l) => l.decision), ['confirmed', 'detached', 'attached'], 'each decision is logged')
  t.ok(lines.every((l) => l.appealId === third && !JSON.stringify(l).includes('锦绣华庭')), 'with ids only')
})

t.test('attach candidates come from linker.suggest, one per matter, with what the agent needs to choose', async (t) => {
  const c = await consoleApp(t)
  const { ids, a } = await threeCitizensOnePlace(c, t)
  // Same compound, another problem: the linker keeps it apart but suggests it.
  const pressure = await c.webAppeal('锦绣华庭小区的水压特别低，高层住户一到晚上就没水用', '13911110004', '城关区锦绣华庭小区')
  const other = (await c.linker.get(pressure))!.matterId
  t.not(other, (await c.linker.get(ids[2]!))!.matterId, 'a matter of its own')
  const suggested = await a.request('matter.suggest', { appealId: ids[2] })
  const candidates = suggested.candidates as MatterCandidate[]
  t.match(candidates, [{ matterId: other, appealId: pressure, appealNumber: await numberOf(c, pressure), channel: 'web', phone: '139****0004' }])
  t.ok(candidates[0]!.reasons.includes('same-place'))
  const attached = await a.request('matter.attach', { appealId: ids[2], matterId: other })
  t.same((attached.matter as MatterCard).others.map((o) => o.appealId), [pressure], 'the card now shows that matter')
})

t.test('an agent cannot decide on an appeal offered to or held by someone else', async (t) => {
  const c = await consoleApp(t)
  const { ids, b } = await threeCitizensOnePlace(c, t)
  const before = (await c.linker.get(ids[2]!))!.matterId
  for (const type of ['matter.get', 'matter.confirm', 'matter.detach', 'matter.suggest']) {
    t.match(await b.request(type, { appealId: ids[2] }), { type: 'error', code: 'CONSOLE_ERR_FORBIDDEN', field: '/appealId' }, type)
  }
  t.match(await b.request('matter.attach', { appealId: ids[2], matterId: before }), { type: 'error', code: 'CONSOLE_ERR_FORBIDDEN' })
  t.equal((await c.linker.get(ids[2]!))!.matterId, before, 'nothing changed')
  t.equal((await c.linker.matter(before)).members.find((m) => m.appealId === ids[2])?.decision, undefined)
})

t.test('a bad or unknown matter id is refused with the field', async (t) => {
  const c = await consoleApp(t)
  const { ids, a } = await threeCitizensOnePlace(c, t)
  t.match(await a.request('matter.attach', { appealId: ids[2], matterId: 'x1' }), { code: 'CONSOLE_ERR_INVALID_MESSAGE', field: '/matterId' })
  t.match(await a.request('matter.attach', { appealId: ids[2], matterId: 'M99999999' }), { code: 'CONSOLE_ERR_NOT_FOUND', field: '/matterId' })
})

t.test("a 集中诉求 alert reaches supervisors' wallboards live and no agent's console", async (t) => {
  const c = await consoleApp(t)
  const wall = await TestClient.open(`${c.wsUrl}?surface=wallboard`, { protocols: ['gw.v1', `token.${await c.token('9001', 'supervisor')}`] })
  t.teardown(() => wall.close())
  t.same((await wall.type('matter.alerts')).alerts, [], 'nothing yet')
  const agent = await agentSocket(c, '1001', t)
  const ids = []
  for (const w of WATER_CUT) ids.push(await c.webAppeal(w.content, w.phone, w.address))
  const alert = (await wall.type('matter.alert')).alert as MatterAlert
  t.match(alert, { appealId: ids[2], appealNumber: await numberOf(c, ids[2]!), citizens: 3, place: WATER_CUT[2].address })
  t.equal(alert.appealNumbers.length, 3)
  await agent.request('state.set', { state: 'not-ready', reason: '小休' }) // a round trip after the alert
  t.notOk(agent.frames.some((f) => f.type.startsWith('matter.alert')), 'the agent socket got nothing')
})

t.test('a wallboard that reconnects gets the recent alerts, newest first', async (t) => {
  const c = await consoleApp(t)
  const at = new Date().toISOString()
  await c.alerts.publish({ matterId: 'M1', appealId: 'ap_x', appealNumber: '20261127-000003', citizens: 3, appealNumbers: [], place: '锦绣华庭', at })
  await c.alerts.publish({ matterId: 'M2', appealId: 'ap_y', appealNumber: '20261127-000009', citizens: 4, appealNumbers: [], at })
  const wall = await TestClient.open(`${c.wsUrl}?surface=wallboard`, { protocols: ['gw.v1', `token.${await c.token('9001', 'supervisor')}`] })
  t.teardown(() => wall.close())
  const recent = (await wall.type('matter.alerts')).alerts as MatterAlert[]
  t.same(recent.map((x) => x.appealNumber), ['20261127-000009', '20261127-000003'])
})

t.test('the completed record carries its matter to the workorders queue, as the agent left it', async (t) => {
  const c = await consoleApp(t)
  const { ids, a, b, offer } = await threeCitizensOnePlace(c, t)
  const record = { disposition: 'work-order', category: '求助' }
  const done = await b.request('appeal.complete', { appealId: ids[0], record })
  t.equal(done.type, 'ack')
  const job = await c.stack.handoff.queue.getJob(ids[0]!)
  const m = (await c.linker.get(ids[0]!))!
  t.same((job?.data.appeal as CompletedAppeal | undefined)?.matter, {
    matterId: m.matterId,
    repeat: false,
    repeatOf: [],
    concentrated: true,
    citizens: 3,
    reasons: m.reasons,
  })

  await a.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })
  await a.request('matter.detach', { appealId: ids[2] })
  await a.request('appeal.complete', { appealId: ids[2], record })
  const split = (await c.stack.handoff.queue.getJob(ids[2]!))?.data.appeal as CompletedAppeal | undefined
  t.match(split?.matter, { concentrated: false, citizens: 1, reasons: [] }, 'a split appeal leaves as its own matter')
  t.not(split?.matter?.matterId, m.matterId)
})

t.test('when one agent splits an appeal off a matter, the other agent holding that matter sees its card change', async (t) => {
  const c1 = await consoleApp(t)
  // Agent b's console is on another gateway process: the notice crosses processes.
  const c2 = await consoleApp(t, {}, { redis: c1.redis, prefix: c1.prefix })
  const { ids, a, b, offer } = await threeCitizensOnePlace(c1, t, c2)
  await a.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })
  b.frames.length = 0

  await a.request('matter.detach', { appealId: ids[2] })
  const changed = await Promise.all([0, 1].map((i) => b.next((f) => f.type === 'matter.changed' && f.appealId === ids[i])))
  for (const f of changed) {
    const m = f.matter as MatterCard
    t.equal(m.citizens, 2, `${f.appealId}: two citizens left in the matter`)
    t.notOk(m.others.some((o) => o.appealId === ids[2]), 'the split appeal is gone from its card')
  }
  t.notOk(a.frames.some((f) => f.type === 'matter.changed' && f.appealId === ids[2]), 'the deciding agent has its answer in the ack')
})
