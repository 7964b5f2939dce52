import t from 'tap'
import { consoleApp } from './console/helpers/console-app.ts'
import { TestClient } from './console/helpers/ws-client.ts'

t.test('an appeal whose routing step failed reaches a ready agent through the periodic sweep, without a restart', async (t) => {
  const c = await consoleApp(t, { queue: { orphanAfterSeconds: 1 } }, undefined, { maintenance: { sweepEveryMs: 200 } })
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  await ws.type('welcome')
  await ws.request('state.set', { state: 'ready' })

  // The matter store fails once (Redis hiccup, a deploy...): the appeal is taken but not yet routed.
  const link = c.linker.link.bind(c.linker)
  let failures = 0
  c.linker.link = async (appeal) => {
    if (failures++ === 0) throw new Error('matter store unavailable')
    return link(appeal)
  }
  const id = await c.webAppeal('小区门口路灯坏了一个星期，晚上很黑')
  t.match(await c.queue.get(id), { status: 'queued' }, 'the citizen got a 202 and the appeal is stored')
  t.equal(await c.redis.exists(`${c.prefix}:acd:entry:${id}`), 0, 'but it is not yet waiting for an agent')

  const offer = await ws.next((f) => f.type === 'offer', 10_000)
  t.match(offer, { offer: { appealId: id, agentId: '1001' } }, 'the sweep routed it: the agent is offered it')
  t.equal(failures, 2, 'linking ran again once')
  ws.close()
})
