import t from 'tap'
import { acdApp } from './helpers/acd-app.ts'
import { agent, GENERAL, isOffer } from './helpers/acd.ts'
import { STAFF_TOKEN } from '../helpers/app.ts'

t.test('a scripted day gives the 15-second rate with short abandons left out', async (t) => {
  const h = await acdApp(t, { agents: [agent('1001', GENERAL, { writtenCapacity: 5 })] })
  const answerAfter = async (waitMs: number, handleMs: number) => {
    const id = await h.submit()
    h.advance(waitMs)
    await h.acd.setState('1001', 'ready')
    const ev = await h.waitFor(isOffer('1001', id))
    await h.acd.accept('1001', ev.offer.offerId)
    h.advance(handleMs)
    await h.acd.complete('1001', id, { disposition: 'resolved-on-line' })
    await h.acd.setState('1001', 'not-ready', '小休')
  }
  await h.acd.setState('1001', 'not-ready', '小休')
  await answerAfter(5_000, 100_000) // within 15 s
  await answerAfter(15_000, 200_000) // exactly 15 s counts as within
  await answerAfter(40_000, 300_000) // over
  const shortAbandon = await h.submit()
  h.advance(3_000)
  t.equal(await h.acd.abandon(shortAbandon), true)
  const longAbandon = await h.submit()
  h.advance(30_000)
  await h.acd.abandon(longAbandon)
  t.equal(await h.acd.abandon(longAbandon), false, 'an abandon counts once')
  t.equal((await h.queue.get(longAbandon))?.status, 'cancelled')

  const w1 = await h.submit({ channel: 'web', category: '咨询' })
  h.advance(120_000)
  await h.acd.setState('1001', 'ready')
  await h.acd.accept('1001', (await h.waitFor(isOffer('1001', w1))).offer.offerId)
  await h.acd.setState('1001', 'not-ready', '小休')
  const w2 = await h.submit({ channel: 'web', category: '咨询' })
  h.advance(400_000)
  await h.acd.setState('1001', 'ready')
  await h.acd.accept('1001', (await h.waitFor(isOffer('1001', w2))).offer.offerId)
  await h.acd.setState('1001', 'not-ready', '用餐')
  await h.submit() // still waiting at the end: not in the rate yet

  const today = (await h.acd.stats()).today
  t.equal(today.offered, 6, 'six calls entered the queue')
  t.equal(today.answered, 3)
  t.equal(today.abandoned, 2)
  t.equal(today.answeredWithin15sRate, 2 / 4, '2 within 15 s of (3 answered + 2 abandoned - 1 short abandon)')
  t.equal(today.abandonRate, 1 / 4)
  t.equal(today.answerRate, 3 / 5, '接通率: 3 answered of 5 calls that ended (short abandons count)')
  t.equal(today.averageSpeedOfAnswerSeconds, 20)
  t.equal(today.averageHandleTimeSeconds, 200)
  t.equal(today.writtenWithin3minRate, 1 / 2)

  const res = await h.app.inject({ method: 'GET', url: '/v1/stats', headers: { authorization: `Bearer ${STAFF_TOKEN}` } })
  t.equal(res.statusCode, 200)
  t.same(res.json().queues, [{ queue: 'general', waiting: 1, longestWaitSeconds: 0 }])
  const metrics = await h.app.metrics.registry.metrics()
  t.match(metrics, /gw_acd_service_level_ratio 0\.5/)
  t.match(metrics, /gw_acd_waiting\{queue="general"\} 1/)
  t.match(metrics, /gw_acd_agents\{state="not-ready"\} 1/)
})

t.test('stats need a staff token or a supervisor; an agent is refused', async (t) => {
  const h = await acdApp(t, { agents: [agent('1001', GENERAL), agent('9001', GENERAL, { role: 'supervisor' })] })
  const sup = await h.login('9001')
  const ag = await h.login('1001')
  t.equal((await h.app.inject({ method: 'GET', url: '/v1/stats', headers: { authorization: `Bearer ${sup}` } })).statusCode, 200)
  t.equal((await h.app.inject({ method: 'GET', url: '/v1/stats', headers: { authorization: `Bearer ${ag}` } })).statusCode, 403)
  t.equal((await h.app.inject({ method: 'GET', url: '/v1/stats' })).statusCode, 401)
})

t.test('the web channel learns an appeal’s position over HTTP', async (t) => {
  const h = await acdApp(t, { agents: [agent('1001', GENERAL)] })
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/channels/web/appeals',
    payload: { citizen: { phone: '13800138000' }, content: '咨询公积金提取' },
  })
  t.equal(res.statusCode, 202)
  const id = res.json().id
  const pos = await h.app.inject({ method: 'GET', url: `/v1/appeals/${id}/position` })
  t.same(pos.json(), { appealId: id, position: 1, estimatedWaitSeconds: 240 }, 'intake put it in the ACD')
  const none = await h.app.inject({ method: 'GET', url: '/v1/appeals/ap_AAAAAAAAAAAAAAAAAAAAAAAA/position' })
  t.equal(none.statusCode, 404)
})
