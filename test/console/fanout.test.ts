import t from 'tap'
import { consoleApp } from './helpers/console-app.ts'
import { TestClient } from './helpers/ws-client.ts'

t.test('an appeal taken in by one gateway process is offered on a socket held by another', async (t) => {
  const one = await consoleApp(t)
  const two = await consoleApp(t, {}, one)
  const ws = await TestClient.open(two.wsUrl, { protocols: ['gw.v1', `token.${await two.token('1001')}`] })
  await ws.type('welcome')
  t.match(await ws.request('state.set', { state: 'ready' }), { type: 'ack' })
  const id = await one.webAppeal('两个进程之间的派单')
  const offer = await ws.type('offer')
  t.match(offer, { offer: { agentId: '1001', appealId: id }, appeal: { id, content: '两个进程之间的派单' } })
  const offerId = (offer.offer as { offerId: string }).offerId
  t.match(await ws.request('offer.accept', { offerId }), { type: 'ack', appeal: { id } })
  ws.close()
})

t.test('a login on another process takes over the console; the newer one stays', async (t) => {
  const one = await consoleApp(t)
  const two = await consoleApp(t, {}, one)
  const first = await TestClient.open(one.wsUrl, { protocols: ['gw.v1', `token.${await one.token('1001')}`] })
  await first.type('welcome')
  const second = await TestClient.open(two.wsUrl, { protocols: ['gw.v1', `token.${await two.token('1001')}`] })
  await second.type('welcome')
  t.same(await first.whenClosed(), { code: 4409, reason: 'CONSOLE_ERR_REPLACED' })
  t.match(await second.request('state.set', { state: 'ready' }), { type: 'ack' })
  t.equal(second.closed, undefined)
  second.close()
})

t.test('a wallboard follows agents connected to another process, pushed without asking', async (t) => {
  const one = await consoleApp(t)
  const two = await consoleApp(t, {}, one)
  const wall = await TestClient.open(`${one.wsUrl}?surface=wallboard`, { protocols: ['gw.v1', `token.${await one.token('9001', 'supervisor')}`] })
  const welcome = await wall.type('welcome')
  t.ok((welcome.settings as { queues: unknown[] }).queues.length > 0, 'queue labels for the board')
  const first = await wall.type('wallboard')
  t.match(first, { agents: [{ agentId: '1001', name: '王芳' }] })
  const ws = await TestClient.open(two.wsUrl, { protocols: ['gw.v1', `token.${await two.token('1001')}`] })
  await ws.type('welcome')
  await ws.request('state.set', { state: 'not-ready', reason: '培训' })
  const moved = await wall.next(
    (f) => f.type === 'wallboard' && (f.stats as { agentsByState: Record<string, number> }).agentsByState['not-ready'] === 1,
  )
  t.match(moved.agents, [{ agentId: '1001', name: '王芳', state: 'not-ready', reason: '培训' }])
  ws.close()
  wall.close()
})
