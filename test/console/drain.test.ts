import t from 'tap'
import { consoleApp } from './helpers/console-app.ts'
import { TestClient } from './helpers/ws-client.ts'

t.test('a completion sent just before the gateway closes is finished before close() returns', async (t) => {
  const c = await consoleApp(t)
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  await ws.type('welcome')
  await ws.request('state.set', { state: 'ready' })
  const id = await c.webAppeal('关机前最后一件诉求：楼道灯不亮')
  const offer = await ws.type('offer')
  await ws.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })

  ws.sendRaw(JSON.stringify({ v: 1, type: 'appeal.complete', id: 'last', appealId: id, record: { disposition: 'work-order', category: '投诉' } }))
  await c.app.inject({ method: 'GET', url: '/healthz' }) // the frame is on the server before the drain starts
  await c.close()

  t.match(await c.queue.get(id), { status: 'completed' }, 'the appeal is completed')
  t.ok(await c.stack.handoff.queue.getJob(id), 'and handed off to the work-order queue')
  t.equal(await c.redis.sismember(`${c.prefix}:acd:agent-appeals:1001`, id), 0, 'the agent no longer holds it')
})
