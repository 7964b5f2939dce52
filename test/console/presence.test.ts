import t from 'tap'
import { consoleApp, type ConsoleTestApp } from './helpers/console-app.ts'
import { TestClient } from './helpers/ws-client.ts'

// Consoles refresh presence every heartbeat (200 ms here); an agent with none for 1 s goes offline.
const FAST = { console: { heartbeatMs: 200 }, acd: { presenceTimeoutSeconds: 1, sweepIntervalMs: 100 } }

async function agent(c: ConsoleTestApp, id: string, opts: { autoPong?: boolean } = {}) {
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token(id)}`], ...opts })
  await ws.type('welcome')
  return ws
}

async function stateOf(c: ConsoleTestApp, id: string) {
  return (await c.stack.acd.status(id)).state
}

async function until(pred: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await pred()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}

t.test('an agent whose console closed goes offline after the presence timeout and is offered nothing', async (t) => {
  const c = await consoleApp(t, FAST)
  const a = await agent(c, '1001')
  await a.request('state.set', { state: 'ready' })
  a.close()
  t.ok(await until(async () => (await stateOf(c, '1001')) === 'offline'), 'offline once the console has been gone 1 s')
  const log = await c.stack.acd.stateLog('1001', new Date().toLocaleDateString('sv-SE', { timeZone: c.config.timezone }))
  t.match(log.at(-1), { state: 'offline', by: 'presence' }, 'the state log says why, for the reports')
  t.ok(c.logs.some((l) => l.code === 'ACD_PRESENCE_LOST'), 'and the gateway logs it')

  const id = await c.webAppeal('无人在线时的诉求')
  t.equal(await c.redis.hget(`${c.prefix}:acd:entry:${id}`, 'offer'), '', 'the appeal waits instead of going to an absent agent')
})

t.test('a connected console keeps its agent ready well past the timeout; a reconnect within it keeps the state', async (t) => {
  const c = await consoleApp(t, FAST)
  const a = await agent(c, '1001')
  await a.request('state.set', { state: 'not-ready', reason: '培训' })
  await new Promise((r) => setTimeout(r, 2500))
  t.equal(await stateOf(c, '1001'), 'not-ready', 'heartbeats keep it present')
  a.close()
  await new Promise((r) => setTimeout(r, 300))
  const again = await agent(c, '1001')
  await new Promise((r) => setTimeout(r, 1500))
  t.match(await c.stack.acd.status('1001'), { state: 'not-ready', reason: '培训' }, 'a quick reconnect (a reload, a gateway restart) changes nothing')
  again.close()
})

t.test('a browser that dies without closing (no pong) is dropped by the heartbeat, then goes offline', async (t) => {
  const c = await consoleApp(t, FAST)
  const a = await agent(c, '1001', { autoPong: false })
  await a.request('state.set', { state: 'ready' })
  t.ok(await until(async () => (await stateOf(c, '1001')) === 'offline'), 'offline')
  t.ok(c.logs.some((l) => l.code === 'CONSOLE_HEARTBEAT_MISSED'), 'after the heartbeat dropped the silent socket')
})

t.test('an offer pending on a console that went away goes to the next agent before its 15 s would run out', async (t) => {
  const c = await consoleApp(t, FAST)
  const a = await agent(c, '1001')
  await a.request('state.set', { state: 'ready' })
  const id = await c.webAppeal('离线坐席的待接诉求')
  await a.type('offer')
  a.close()
  const b = await agent(c, '1002')
  await b.request('state.set', { state: 'ready' })
  const offer = await b.next((f) => f.type === 'offer', 5000)
  t.match(offer, { offer: { appealId: id, agentId: '1002' } }, 'the other agent gets it')
  t.equal(await stateOf(c, '1001'), 'offline', 'the absent agent is offline, not 未应答')
  b.close()
})

t.test('an agent holding an appeal keeps it and stays busy when the console goes away', async (t) => {
  const c = await consoleApp(t, FAST)
  const a = await agent(c, '1001')
  await a.request('state.set', { state: 'ready' })
  const id = await c.webAppeal('处理中的诉求不能丢')
  const offer = await a.type('offer')
  await a.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })
  a.close()
  await new Promise((r) => setTimeout(r, 2000))
  t.match(await c.stack.acd.status('1001'), { state: 'busy', appealIds: [id] }, 'the held appeal is not lost')
  const back = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  t.match(await back.type('welcome'), { appeals: [{ id }] }, 'and is on the console when the agent comes back')
  back.close()
})

t.test('presence timeout 0 turns it off; a timeout shorter than two heartbeats is refused at start', async (t) => {
  const c = await consoleApp(t, { console: { heartbeatMs: 200 }, acd: { presenceTimeoutSeconds: 0, sweepIntervalMs: 100 } })
  const a = await agent(c, '1001')
  await a.request('state.set', { state: 'ready' })
  a.close()
  await new Promise((r) => setTimeout(r, 1500))
  t.equal(await stateOf(c, '1001'), 'ready')
  await t.rejects(consoleApp(t, { console: { heartbeatMs: 20_000 }, acd: { presenceTimeoutSeconds: 30 } }), {
    code: 'CFG_ERR_INVALID',
    message: /\/acd\/presenceTimeoutSeconds/,
  })
})
