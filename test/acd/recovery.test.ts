import t from 'tap'
import { acdHarness, agent, GENERAL, isOffer } from './helpers/acd.ts'

t.test('after a crash the ACD rebuilds waiting entries from queued appeals, at their original place', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL)] })
  // Appeals accepted by intake whose ACD entry was never written (process died after the queue add).
  const older = (await h.queue.submit({ channel: 'voice', origin: '12345', externalId: 'c-1', receivedAt: new Date(h.now() - 9000), draft: { citizen: { phone: '13800138000' }, content: '噪音扰民' } })).appeal.id
  const newer = (await h.queue.submit({ channel: 'voice', origin: '12345', externalId: 'c-2', receivedAt: new Date(h.now() - 3000), draft: { citizen: { phone: '13800138001' }, content: '噪音扰民' } })).appeal.id
  t.equal(await h.acd.position(older), undefined, 'the ACD does not know them yet')

  t.same(await h.acd.recover(), { added: 2, removed: 0 })
  t.same(await h.acd.recover(), { added: 0, removed: 0 }, 'running it again adds nothing')
  t.equal((await h.acd.position(older))?.position, 1)
  t.equal((await h.acd.position(newer))?.position, 2)
  t.equal((await h.acd.stats()).today.offered, 0, 'a rebuilt entry is not counted as offered twice')

  await h.acd.setState('1001', 'ready')
  const ev = await h.waitFor(isOffer('1001', older))
  await h.acd.accept('1001', ev.offer.offerId)
  // The job removal after accept was lost (crash): recovery removes it and adds no entry.
  await h.queue.queue.add('appeal', { appealId: older, channel: 'voice' }, { jobId: older, priority: 1 })
  t.same(await h.acd.recover(), { added: 0, removed: 1 })
  t.equal(await h.acd.position(older), undefined)
})

t.test('a second process starting on the same Redis rebuilds nothing that is already there', async (t) => {
  const a = await acdHarness(t, { agents: [agent('1001', GENERAL)] })
  await a.submit()
  const b = await acdHarness(t, { agents: [agent('1001', GENERAL)], redis: { redis: a.redis, prefix: a.prefix } })
  t.same(await b.acd.recover(), { added: 0, removed: 0 })
  t.equal((await b.acd.stats()).queues[0].waiting, 1)
})

t.test('the periodic recovery leaves an intake that may still be adding its entry alone', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL)] })
  const id = (await h.queue.submit({ channel: 'voice', origin: '12345', externalId: 'c-9', draft: { citizen: { phone: '13800138009' }, content: '路灯不亮' } })).appeal.id
  t.same(await h.acd.recover({ olderThanMs: 30_000 }), { added: 0, removed: 0 }, 'a job seconds old is not touched')
  t.same(await h.acd.recover({ olderThanMs: 0 }), { added: 1, removed: 0 }, 'once old enough it is rebuilt')
  t.equal((await h.acd.position(id))?.position, 1)
})
