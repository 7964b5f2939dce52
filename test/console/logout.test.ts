import t from 'tap'
import { consoleApp, DEMO_PASSWORD, type ConsoleTestApp } from './helpers/console-app.ts'
import { TestClient } from './helpers/ws-client.ts'

async function login(c: ConsoleTestApp, username: string) {
  const res = await c.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password: DEMO_PASSWORD } })
  return res.json() as { token: string; refreshToken: string }
}

async function open(c: ConsoleTestApp, token: string, surface = '') {
  const ws = await TestClient.open(`${c.wsUrl}${surface}`, { protocols: ['gw.v1', `token.${token}`] })
  await ws.type('welcome')
  return ws
}

const logout = (c: ConsoleTestApp, s: { token: string; refreshToken: string }) =>
  c.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { authorization: `Bearer ${s.token}` }, payload: { refreshToken: s.refreshToken } })

t.test('a logout closes the user’s open console on every gateway process and sends the agent offline', async (t) => {
  const c1 = await consoleApp(t)
  const c2 = await consoleApp(t, {}, { redis: c1.redis, prefix: c1.prefix })
  const s = await login(c1, '1001')
  const ws = await open(c2, s.token) // the console is on the other process
  await ws.request('state.set', { state: 'ready' })

  t.equal((await logout(c1, s)).statusCode, 204)
  const err = await ws.type('error')
  t.match(err, { code: 'CONSOLE_ERR_LOGGED_OUT' }, 'the console is told why')
  t.match(await ws.whenClosed(), { code: 4403, reason: 'CONSOLE_ERR_LOGGED_OUT' })
  t.equal((await c1.stack.acd.status('1001')).state, 'offline', 'the agent is offline: no offer waits for them')
  t.ok(c2.logs.some((l) => l.code === 'CONSOLE_ERR_LOGGED_OUT'), 'the closing process logs it')

  const id = await c1.webAppeal('退出后到达的诉求')
  t.equal(await c1.redis.hget(`${c1.prefix}:acd:entry:${id}`, 'offer'), '', 'and a new appeal waits instead of being offered to them')
  await t.rejects(open(c1, s.token), 'the old token opens no new console')
})

t.test('a supervisor’s wallboards close at logout; an agent holding appeals keeps them', async (t) => {
  const c = await consoleApp(t)
  const sup = await login(c, '9001')
  const board1 = await open(c, sup.token, '?surface=wallboard')
  const board2 = await open(c, sup.token, '?surface=wallboard')
  const agentSession = await login(c, '1002')
  const a = await open(c, agentSession.token)
  await a.request('state.set', { state: 'ready' })
  const id = await c.webAppeal('处理中退出的诉求')
  const offer = await a.type('offer')
  await a.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })

  await logout(c, sup)
  t.match(await board1.whenClosed(), { code: 4403 })
  t.match(await board2.whenClosed(), { code: 4403 }, 'every screen of that supervisor')
  t.equal(a.closed, undefined, 'another user’s console stays open')

  await logout(c, agentSession)
  t.match(await a.whenClosed(), { code: 4403 })
  t.match(await c.stack.acd.status('1002'), { state: 'busy', appealIds: [id] }, 'the held appeal stays with the agent')
  const back = await login(c, '1002')
  const again = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${back.token}`] })
  t.match(await again.type('welcome'), { appeals: [{ id, status: 'in-progress' }] }, 'and is on the console at the next login')
  again.close()
})
