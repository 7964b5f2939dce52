import t from 'tap'
import { consoleApp } from './helpers/console-app.ts'
import { TestClient } from './helpers/ws-client.ts'

const logged = (logs: Record<string, unknown>[], code: string) => logs.some((l) => l.code === code)

t.test('a console with a valid token in Sec-WebSocket-Protocol gets gw.v1 back and a welcome', async (t) => {
  const c = await consoleApp(t)
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  t.equal(ws.ws.protocol, 'gw.v1', 'the server answers the protocol, never the token')
  const w = await ws.type('welcome')
  t.match(w, { v: 1, agent: { id: '1001', name: '王芳', role: 'agent' }, status: { state: 'offline' }, appeals: [] })
  t.ok((w.settings as { dispositions: unknown[] }).dispositions.length > 0, 'wrap-up codes come with the welcome')
  ws.close()
})

t.test('a console may instead send {type:auth} as its first message', async (t) => {
  const c = await consoleApp(t)
  const ws = await TestClient.open(c.wsUrl)
  ws.sendRaw(JSON.stringify({ v: 1, type: 'auth', token: await c.token('1001') }))
  t.match(await ws.type('welcome'), { agent: { id: '1001' } })
  ws.close()
})

t.test('a socket without a token is closed 4408 after the auth timeout, with a coded error', async (t) => {
  const c = await consoleApp(t, { console: { authTimeoutMs: 200 } })
  const ws = await TestClient.open(c.wsUrl)
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_AUTH_TIMEOUT' })
  t.same(await ws.whenClosed(), { code: 4408, reason: 'CONSOLE_ERR_AUTH_TIMEOUT' })
  t.ok(logged(c.logs, 'CONSOLE_ERR_AUTH_TIMEOUT'), 'a log line says why')
})

t.test('a first message other than auth is refused and the socket closed 4401', async (t) => {
  const c = await consoleApp(t)
  const ws = await TestClient.open(c.wsUrl)
  ws.sendRaw(JSON.stringify({ v: 1, type: 'state.set', state: 'ready' }))
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_UNAUTHORIZED' })
  t.equal((await ws.whenClosed()).code, 4401)
})

t.test('a forged token is refused with 4401 CONSOLE_ERR_UNAUTHORIZED and a log line; the server stays up', async (t) => {
  const c = await consoleApp(t)
  const good = await c.token('1001')
  const [h, p] = good.split('.')
  const forged = `${h}.${p}.${'A'.repeat(43)}`
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${forged}`] })
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_UNAUTHORIZED' })
  t.same(await ws.whenClosed(), { code: 4401, reason: 'CONSOLE_ERR_UNAUTHORIZED' })
  t.ok(logged(c.logs, 'CONSOLE_ERR_UNAUTHORIZED'))
  t.notOk(JSON.stringify(c.logs).includes(forged), 'the token never reaches a log line')
  const again = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${good}`] })
  t.ok(await again.type('welcome'), 'the server still serves the next console')
  again.close()
})

t.test('an expired token is refused at connect with 4401 and a log line', async (t) => {
  const c = await consoleApp(t)
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001', 'agent', -10)}`] })
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_UNAUTHORIZED' })
  t.equal((await ws.whenClosed()).code, 4401)
  t.ok(logged(c.logs, 'CONSOLE_ERR_UNAUTHORIZED'))
})

t.test('a token revoked by logout is refused', async (t) => {
  const c = await consoleApp(t)
  const login = await c.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: '1001', password: 'demo12345' } })
  const { token } = login.json() as { token: string }
  const out = await c.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { authorization: `Bearer ${token}` }, payload: {} })
  t.equal(out.statusCode, 204)
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${token}`] })
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_UNAUTHORIZED' })
  t.equal((await ws.whenClosed()).code, 4401)
})

t.test('an open socket is closed 4402 when its token expires', async (t) => {
  const c = await consoleApp(t)
  // `exp` is in whole seconds: a 1-second token may expire a millisecond after it is issued (seen
  // under CI load: refused at connect). Two seconds leave it between one and two.
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001', 'agent', 2)}`] })
  await ws.type('welcome')
  t.match(await ws.type('error', 4000), { code: 'CONSOLE_ERR_TOKEN_EXPIRED' })
  t.same(await ws.whenClosed(), { code: 4402, reason: 'CONSOLE_ERR_TOKEN_EXPIRED' })
})

t.test('a renewed token sent as auth keeps the socket open; another agent\'s token is refused', async (t) => {
  const c = await consoleApp(t)
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001', 'agent', 60)}`] })
  await ws.type('welcome')
  const ack = await ws.request('auth', { token: await c.token('1001', 'agent', 900) })
  t.match(ack, { type: 'ack', for: 'auth', tokenExpiresAt: String })
  const other = await ws.request('auth', { token: await c.token('1002') })
  t.match(other, { type: 'error', code: 'CONSOLE_ERR_IDENTITY_CHANGED' })
  ws.close()
})

t.test('a foreign Origin is refused before the upgrade with 403 CONSOLE_ERR_ORIGIN and a log line', async (t) => {
  const c = await consoleApp(t)
  const err = await TestClient.open(c.wsUrl, { origin: 'https://evil.example', protocols: ['gw.v1', `token.${await c.token('1001')}`] }).catch((e) => e)
  t.match(err, { statusCode: 403, body: { code: 'CONSOLE_ERR_ORIGIN' } })
  t.ok(logged(c.logs, 'CONSOLE_ERR_ORIGIN'))
  const same = await TestClient.open(c.wsUrl, { origin: c.url, protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  t.ok(await same.type('welcome'), 'the gateway\'s own origin is allowed')
  same.close()
})

t.test('an origin listed in console.allowedOrigins is allowed', async (t) => {
  const c = await consoleApp(t, { console: { allowedOrigins: ['https://console.12345.example'] } })
  const ws = await TestClient.open(c.wsUrl, { origin: 'https://console.12345.example', protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  t.ok(await ws.type('welcome'))
  ws.close()
})

t.test('a second console of the same agent takes over: the first gets 4409 CONSOLE_ERR_REPLACED', async (t) => {
  const c = await consoleApp(t)
  const first = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  await first.type('welcome')
  const second = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  await second.type('welcome')
  t.match(await first.type('error'), { code: 'CONSOLE_ERR_REPLACED' })
  t.same(await first.whenClosed(), { code: 4409, reason: 'CONSOLE_ERR_REPLACED' })
  t.equal(second.closed, undefined, 'the newer console stays')
  t.match(await second.request('state.set', { state: 'ready' }), { type: 'ack' })
  second.close()
})

t.test('a socket that stops answering pings is dropped', async (t) => {
  const c = await consoleApp(t, { console: { heartbeatMs: 100 } })
  const ws = await TestClient.open(c.wsUrl, { autoPong: false, protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  await ws.type('welcome')
  const closed = await ws.whenClosed(3000)
  t.equal(closed.code, 1006, 'terminated without a close frame')
  t.ok(logged(c.logs, 'CONSOLE_HEARTBEAT_MISSED'))
  const alive = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1002')}`] })
  await alive.type('welcome')
  await new Promise<void>((resolve) => alive.ws.once('ping', () => alive.ws.once('ping', () => resolve())))
  t.equal(alive.closed, undefined, 'a socket that answers pings stays')
  alive.close()
})

t.test('the wallboard surface is for supervisors only', async (t) => {
  const c = await consoleApp(t)
  const agent = await TestClient.open(`${c.wsUrl}?surface=wallboard`, { protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  t.match(await agent.type('error'), { code: 'CONSOLE_ERR_FORBIDDEN' })
  t.equal((await agent.whenClosed()).code, 4401)
  const sup = await TestClient.open(`${c.wsUrl}?surface=wallboard`, { protocols: ['gw.v1', `token.${await c.token('9001', 'supervisor')}`] })
  await sup.type('welcome')
  t.match(await sup.type('wallboard'), { stats: { today: Object } })
  sup.close()
})
