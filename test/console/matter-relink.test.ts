/**
 * A call is linked by the caller's number when it enters the queue and again on the agent's
 * summary when the agent completes it: the consoles see it as they see a new link.
 */
import t from 'tap'
import { consoleApp } from './helpers/console-app.ts'
import { TestClient } from './helpers/ws-client.ts'
import { acceptNext, agentSocket, WATER_CUT } from './helpers/matter-scene.ts'
import type { MatterCard } from '../../agent-console/server/matter-card.ts'
import type { CompletedAppeal } from '../../gateway/acd/appeal-records.ts'
import type { MatterAlert } from '../../gateway/matter/alerts.ts'

const SUMMARY = '市民反映锦绣华庭小区从昨天开始停水，一天多了还没来水，物业说不清何时恢复，要求尽快恢复供水'

t.test('a call completed with a summary of the water cut two neighbours wrote about joins their matter: 集中诉求 on the wallboard, their agent sees the card change', async (t) => {
  const c = await consoleApp(t)
  const wall = await TestClient.open(`${c.wsUrl}?surface=wallboard`, { protocols: ['gw.v1', `token.${await c.token('9001', 'supervisor')}`] })
  t.teardown(() => wall.close())
  t.same((await wall.type('matter.alerts')).alerts, [], 'no alert yet')

  // Agent 1002 holds the two written appeals, then takes a break.
  const b = await agentSocket(c, '1002', t)
  await b.request('state.set', { state: 'ready' })
  const ids: string[] = []
  for (const w of WATER_CUT.slice(0, 2)) {
    const id = await c.webAppeal(w.content, w.phone, w.address)
    ids.push(id)
    await acceptNext(b, id)
  }
  await b.request('state.set', { state: 'not-ready', reason: '小休' })
  const matterId = (await c.linker.get(ids[0]!))!.matterId

  // A third citizen calls: linked by number only, the call is alone on agent 1001's offer.
  const a = await agentSocket(c, '1001', t)
  await a.request('state.set', { state: 'ready' })
  const { appeal: call } = await c.queue.submit({
    channel: 'voice',
    externalId: 'fs1-call-0001',
    origin: '12345',
    draft: { citizen: { phone: WATER_CUT[2].phone }, content: '市民来电（12345）', call: { callId: 'fs1-call-0001', serverId: 'fs1', mode: 'live' } },
  })
  const { offer } = await acceptNext(a, call.id)
  const atOffer = offer.matter as MatterCard
  t.not(atOffer.matterId, matterId, 'at the offer the call is not in the neighbours’ matter')
  t.equal(atOffer.size, 1)
  b.frames.length = 0

  const done = await a.request('appeal.complete', {
    appealId: call.id,
    record: { disposition: 'work-order', category: '求助', summary: SUMMARY, location: { address: WATER_CUT[2].address } },
  })
  t.equal(done.type, 'ack')
  const completed = done.appeal as CompletedAppeal
  t.match(completed.matter, { matterId, concentrated: true, citizens: 3 }, 'the ack carries the matter it joined')

  const alert = (await wall.type('matter.alert')).alert as MatterAlert
  t.match(alert, { matterId, appealId: call.id, citizens: 3, place: WATER_CUT[2].address })
  t.equal(alert.appealNumbers.length, 3)

  const changed = await Promise.all(ids.map((id) => b.next((f) => f.type === 'matter.changed' && f.appealId === id)))
  for (const f of changed) {
    const m = f.matter as MatterCard
    t.equal(m.citizens, 3, `${f.appealId}: three citizens now`)
    t.equal(m.flags.concentrated, true)
    const row = m.others.find((o) => o.appealId === call.id)
    t.equal(row?.channel, 'voice', 'the call is on the card')
    t.match(row?.excerpt, /^市民反映锦绣华庭小区从昨天开始停水/, 'shown by its summary, not our placeholder')
    t.equal(row?.phone, '139****0003')
  }
  t.notOk(JSON.stringify(c.logs).includes(WATER_CUT[2].phone), 'the caller’s number is in no log line')
})
