import t from 'tap'
import { acdHarness, agent, GENERAL, isOffer } from './helpers/acd.ts'
import type { AcdEvent } from '../../gateway/acd/types.ts'
import type { CompletedAppeal } from '../../gateway/acd/appeal-records.ts'

t.test('a ready agent is offered a new call, accepts it, completes it and goes to wrap-up', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL)] })
  await h.acd.setState('1001', 'ready')
  const id = await h.submit()
  const ev = await h.waitFor(isOffer('1001', id))
  t.equal(ev.offer.kind, 'call')
  t.equal(ev.offer.expiresAt, new Date(h.now() + 15_000).toISOString(), 'reserved for 15 s')
  t.equal((await h.acd.status('1001')).state, 'reserved')
  t.ok(await h.acd.canRead('1001', id), 'the offered agent may read the appeal')

  h.advance(4000)
  const appeal = await h.acd.accept('1001', ev.offer.offerId)
  t.equal(appeal.status, 'in-progress')
  t.same((await h.acd.status('1001')).appealIds, [id])
  t.equal(await h.queue.queue.getJob(id), undefined, 'the waiting job is gone once an agent holds the appeal')

  h.advance(60_000)
  const done = await h.acd.complete('1001', id, { disposition: 'resolved-on-line', summary: '已告知报修电话', category: '求助' })
  t.equal(done.status, 'completed')
  t.equal(done.category, '求助', 'the agent’s category replaces the citizen’s')
  t.equal(done.intake.disposition, 'resolved-on-line')
  const st = await h.acd.status('1001')
  t.equal(st.state, 'wrap-up')
  t.equal(st.wrapUpEndsAt, new Date(h.now() + 30_000).toISOString())
  t.same(st.appealIds, [])

  const job = await h.handoff.queue.getJob(id)
  t.equal((job?.data.appeal as CompletedAppeal | undefined)?.intake.summary, '已告知报修电话', 'the completed record waits in the workorders queue')

  h.advance(30_000)
  await h.acd.sweep()
  t.equal((await h.acd.status('1001')).state, 'ready', 'wrap-up ends by itself')
  await h.waitFor((e) => e.type === 'appeal-completed' && e.appealId === id)
})

t.test('an unanswered offer makes the agent not-ready (未应答) and the entry is offered again at its original place', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL), agent('1002', GENERAL)] })
  const first = await h.submit({ at: h.now() - 20_000 })
  h.advance(1)
  await h.acd.setState('1001', 'ready')
  const ev = await h.waitFor(isOffer('1001', first))
  const second = await h.submit()
  t.equal((await h.acd.position(second))?.position, 1, 'the later call waits')

  h.advance(15_001)
  await h.acd.sweep()
  const st = await h.acd.status('1001')
  t.equal(st.state, 'not-ready')
  t.equal(st.reason, '未应答')
  await h.waitFor((e) => e.type === 'offer-revoked' && e.offer.offerId === ev.offer.offerId && e.reason === 'timeout')
  t.equal((await h.acd.position(first))?.position, 1, 'the older call is ahead again')
  t.equal((await h.acd.position(second))?.position, 2)
  await t.rejects(h.acd.accept('1001', ev.offer.offerId), { code: 'ACD_ERR_OFFER_NOT_FOUND' }, 'a late accept is refused')

  await h.acd.setState('1002', 'ready')
  await h.waitFor(isOffer('1002', first))
})

t.test('a declined offer goes back to the queue and the agent to the end of the idle line', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL), agent('1002', GENERAL)] })
  await h.acd.setState('1001', 'ready')
  h.advance(1000)
  await h.acd.setState('1002', 'ready')
  const id = await h.submit()
  const ev = await h.waitFor(isOffer('1001', id), 2000)
  h.advance(1000)
  await h.acd.decline('1001', ev.offer.offerId)
  await h.waitFor((e) => e.type === 'offer-revoked' && e.reason === 'declined')
  await h.waitFor(isOffer('1002', id))
  t.equal((await h.acd.status('1001')).state, 'ready')
  await t.rejects(h.acd.decline('1001', ev.offer.offerId), { code: 'ACD_ERR_OFFER_NOT_FOUND' })
})

t.test('every state change is timestamped in the agent’s log for the day', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL)] })
  await h.acd.setState('1001', 'ready')
  h.advance(60_000)
  await h.acd.setState('1001', 'not-ready', '用餐', '9001')
  const log = await h.acd.stateLog('1001', '2026-11-27')
  t.same(
    log.map((l) => [l.state, l.reason, l.at, l.by]),
    [
      ['ready', undefined, '2026-11-27T02:00:00.000Z', '1001'],
      ['not-ready', '用餐', '2026-11-27T02:01:00.000Z', '9001'],
    ],
  )
  await t.rejects(h.acd.setState('1001', 'not-ready', '发呆' as never), { code: 'ACD_ERR_INVALID_REASON' })
})

t.test('events reach every process sharing the Redis prefix', async (t) => {
  const a = await acdHarness(t, { agents: [agent('1001', GENERAL)] })
  const b = await acdHarness(t, { agents: [agent('1001', GENERAL)], redis: { redis: a.redis, prefix: a.prefix } })
  await a.acd.setState('1001', 'ready')
  const seen = await b.waitFor((e: AcdEvent) => e.type === 'agent-state' && e.status.state === 'ready')
  t.equal(seen.type, 'agent-state')
})
