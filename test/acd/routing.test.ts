import t from 'tap'
import { acdHarness, agent, GENERAL, isOffer } from './helpers/acd.ts'

const MARKET = ['hotline:market', 'category:投诉', 'language:普通话']

t.test('an entry goes only to an agent with its hotline, category and language skills', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL), agent('1002', [...MARKET, 'language:粤语'])] })
  await h.acd.setState('1001', 'ready')
  h.advance(1000)
  await h.acd.setState('1002', 'ready')
  const id = await h.submit({ origin: '12315' })
  const ev = await h.waitFor(isOffer(undefined, id))
  t.equal(ev.offer.agentId, '1002', '12315 complaints need the market skill, though 1001 idled longer')
})

t.test('the longest-idle eligible agent gets the entry', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL), agent('1002', GENERAL), agent('1003', GENERAL)] })
  await h.acd.setState('1002', 'ready')
  h.advance(1000)
  await h.acd.setState('1003', 'ready')
  h.advance(1000)
  await h.acd.setState('1001', 'ready')
  const id = await h.submit()
  t.equal((await h.waitFor(isOffer(undefined, id))).offer.agentId, '1002')
  const id2 = await h.submit()
  t.equal((await h.waitFor(isOffer(undefined, id2))).offer.agentId, '1003')
})

t.test('calls go before older written appeals, and older before newer', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL)] })
  const written = await h.submit({ channel: 'web', at: h.now() - 60_000, category: '咨询' })
  const newCall = await h.submit({ at: h.now() - 1000 })
  const oldCall = await h.submit({ at: h.now() - 5000 })
  const order: string[] = []
  for (let i = 0; i < 3; i++) {
    await h.acd.setState('1001', 'ready')
    const ev = await h.waitFor(isOffer('1001', undefined), 2000)
    h.events.length = 0
    order.push(ev.offer.appealId)
    await h.acd.accept('1001', ev.offer.offerId)
    await h.acd.complete('1001', ev.offer.appealId, { disposition: 'resolved-on-line' })
    h.advance(1)
  }
  t.same(order, [oldCall, newCall, written])
})

t.test('skills relax with waiting time: first the exact skills, after 30 s the hotline, after 60 s anyone', async (t) => {
  const h = await acdHarness(t, {
    agents: [agent('2001', ['hotline:market', 'language:粤语']), agent('2002', ['hotline:hrss'])],
  })
  await h.acd.setState('2001', 'ready')
  await h.acd.setState('2002', 'ready')
  const id = await h.submit({ origin: '12315' })
  h.advance(29_000)
  await h.acd.sweep()
  t.notOk(h.events.some(isOffer()), 'nobody has 投诉 + 普通话 at 29 s')
  h.advance(1000)
  await h.acd.sweep()
  const first = await h.waitFor(isOffer(undefined, id))
  t.equal(first.offer.agentId, '2001', 'at 30 s the market-hotline agent may take it')
  await h.acd.accept('2001', first.offer.offerId)

  const other = await h.submit({ origin: '12366' })
  h.advance(59_000)
  await h.acd.sweep()
  t.notOk(h.events.some(isOffer(undefined, other)))
  h.advance(1000)
  await h.acd.sweep()
  t.equal((await h.waitFor(isOffer(undefined, other))).offer.agentId, '2002', 'at 60 s anyone ready')
})

t.test('relaxation can be set per queue', async (t) => {
  const h = await acdHarness(t, {
    agents: [agent('2002', ['hotline:hrss'])],
    config: { acd: { queues: { market: { relaxation: [] } } } },
  })
  await h.acd.setState('2002', 'ready')
  const id = await h.submit({ origin: '12315' })
  h.advance(3600_000)
  await h.acd.sweep()
  t.notOk(h.events.some(isOffer(undefined, id)), 'the market queue never relaxes')
})

t.test('an agent holds written appeals up to their capacity, and still gets calls', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL, { writtenCapacity: 2 })] })
  await h.acd.setState('1001', 'ready')
  const taken: string[] = []
  for (let i = 0; i < 3; i++) await h.submit({ channel: 'web', category: '咨询', at: h.now() + i })
  for (let i = 0; i < 2; i++) {
    const ev = await h.waitFor((e) => isOffer('1001')(e) && !taken.includes(e.offer.appealId))
    await h.acd.accept('1001', (ev as { offer: { offerId: string } }).offer.offerId)
    taken.push((ev as { offer: { appealId: string } }).offer.appealId)
  }
  const st = await h.acd.status('1001')
  t.equal(st.state, 'busy')
  t.equal(st.appealIds.length, 2)
  t.equal(h.events.filter(isOffer()).length, 2, 'no third written appeal beyond capacity 2')
  const call = await h.submit()
  const ev = await h.waitFor(isOffer('1001', call))
  t.equal(ev.offer.kind, 'call', 'an agent on written work may still take a call')
})

t.test('never a second call, nor any offer, to an agent on a call', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL, { writtenCapacity: 3 })] })
  await h.acd.setState('1001', 'ready')
  const c1 = await h.submit()
  await h.acd.accept('1001', (await h.waitFor(isOffer('1001', c1))).offer.offerId)
  await h.submit()
  await h.submit({ channel: 'web', category: '咨询' })
  await h.acd.sweep()
  await h.acd.setState('1001', 'ready')
  t.equal(h.events.filter(isOffer()).length, 1)
  t.equal((await h.acd.status('1001')).state, 'busy')
})

t.test('an agent holding appeals cannot go offline; not-ready withdraws an open offer', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL), agent('1002', GENERAL)] })
  await h.acd.setState('1001', 'ready')
  const c1 = await h.submit()
  const ev = await h.waitFor(isOffer('1001', c1))
  await h.acd.setState('1001', 'not-ready', '小休')
  await h.waitFor((e) => e.type === 'offer-revoked' && e.reason === 'cancelled')
  t.equal((await h.acd.position(c1))?.position, 1, 'back in the queue')
  await h.acd.setState('1001', 'ready')
  const ev2 = await h.waitFor((e) => isOffer('1001', c1)(e) && e.offer.offerId !== ev.offer.offerId)
  await h.acd.accept('1001', (ev2 as { offer: { offerId: string } }).offer.offerId)
  await t.rejects(h.acd.setState('1001', 'offline'), { code: 'ACD_ERR_INVALID_STATE' })
  await t.rejects(h.acd.complete('1002', c1, { disposition: 'x' }), { code: 'ACD_ERR_NOT_HOLDING' })
  await t.rejects(h.acd.complete('1001', c1, { disposition: '' }), { code: 'ACD_ERR_INVALID_RECORD' })
})

t.test('a transfer to another agent keeps the appeal’s original place and time', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL), agent('1002', ['hotline:hrss'])] })
  await h.acd.setState('1001', 'ready')
  const c1 = await h.submit({ at: h.now() - 10_000 })
  await h.acd.accept('1001', (await h.waitFor(isOffer('1001', c1))).offer.offerId)
  await h.acd.setState('1002', 'ready')
  await h.acd.transfer('1001', c1, { agentId: '1002' })
  t.equal((await h.waitFor(isOffer('1002', c1))).offer.kind, 'call')
  t.equal((await h.acd.status('1001')).state, 'wrap-up')
  t.equal((await h.queue.get(c1))?.status, 'queued')
  await t.rejects(h.acd.transfer('1001', c1, { queue: 'nowhere' }), { code: 'ACD_ERR_UNKNOWN_QUEUE' })
})

t.test('position and estimated wait follow the queue and the agents staffed', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL), agent('1002', GENERAL)] })
  await h.acd.setState('1001', 'not-ready', '小休')
  await h.acd.setState('1002', 'ready')
  const busy = await h.submit()
  await h.acd.accept('1002', (await h.waitFor(isOffer('1002', busy))).offer.offerId)
  const a = await h.submit({ at: h.now() - 3000 })
  const b = await h.submit({ at: h.now() - 2000 })
  t.same(await h.acd.position(a), { appealId: a, position: 1, estimatedWaitSeconds: 240 }, '1 x 240 s / 1 agent staffed')
  t.same(await h.acd.position(b), { appealId: b, position: 2, estimatedWaitSeconds: 480 })
  t.equal(await h.acd.position(busy), undefined, 'not waiting any more')
})
