import t from 'tap'
import { acdApp, DEMO_PASSWORD } from '../acd/helpers/acd-app.ts'
import { agent, GENERAL } from '../acd/helpers/acd.ts'
import { loadConfig } from '../../config/load.ts'
import { hashPassword, verifyPassword } from '../../gateway/auth/password.ts'

const agents = [agent('1001', GENERAL), agent('9001', GENERAL, { role: 'supervisor', name: '张主任' })]

t.test('an agent logs in with the demo password and gets a token, a refresh token and who they are', async (t) => {
  const h = await acdApp(t, { agents })
  const res = await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: '1001', password: DEMO_PASSWORD } })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.expiresIn, 900)
  t.same(body.agent, { id: '1001', name: '坐席1001', role: 'agent' })
  t.same(await h.auth.verifyAccessToken(body.token).then((v) => [v.agentId, v.role]), ['1001', 'agent'])
  const me = await h.app.inject({ method: 'GET', url: '/v1/agents/me', headers: { authorization: `Bearer ${body.token}` } })
  t.equal(me.statusCode, 200)
  t.equal(me.json().status.state, 'offline')
})

t.test('a wrong password gets exactly the answer an unknown user gets', async (t) => {
  const h = await acdApp(t, { agents })
  const wrong = await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: '1001', password: 'nope-nope' } })
  const unknown = await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: '4040', password: 'nope-nope' } })
  t.equal(wrong.statusCode, 401)
  t.same(wrong.json(), unknown.json())
  t.equal(wrong.json().code, 'AUTH_ERR_INVALID_CREDENTIALS')
  t.same(Object.keys(wrong.headers).sort(), Object.keys(unknown.headers).sort(), 'same headers too')
})

t.test('an unknown user costs the same scrypt work as a known one', async (t) => {
  const stored = await hashPassword('correct horse')
  const time = async (f: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < 5; i++) await f()
    return Number(process.hrtime.bigint() - t0) / 5e6
  }
  await verifyPassword('x', undefined)
  const known = await time(() => verifyPassword('wrong', stored))
  const unknown = await time(() => verifyPassword('wrong', undefined))
  t.ok(unknown > known * 0.5 && unknown < known * 2, `known ${known.toFixed(1)} ms, unknown ${unknown.toFixed(1)} ms`)
  t.equal(await verifyPassword('correct horse', stored), true)
  t.equal(await verifyPassword('correct horse', undefined), false)
})

t.test('repeated failures slow a username down, then lock it even for the right password', async (t) => {
  const h = await acdApp(t, { agents, config: { auth: { lockout: { slowAfter: 2, maxFailures: 3, lockSeconds: 600 } } } })
  const attempt = (password: string, ip = '10.0.0.1') =>
    h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: '1001', password }, remoteAddress: ip })
  t.equal((await attempt('bad-1')).statusCode, 401)
  t.equal((await attempt('bad-2')).statusCode, 401)
  const slowed = await attempt(DEMO_PASSWORD)
  t.equal(slowed.statusCode, 429, 'after two failures the next try must wait')
  t.equal(slowed.json().code, 'AUTH_ERR_LOCKED')
  t.equal(slowed.headers['retry-after'], '1')
  await h.redis.del(...(await h.redis.keys(`${h.prefix}:auth:wait:*`)))
  t.equal((await attempt('bad-3')).statusCode, 401)
  const locked = await attempt(DEMO_PASSWORD, '10.0.0.2')
  t.equal(locked.statusCode, 429, 'locked for the username whatever the IP')
  t.ok(Number(locked.headers['retry-after']) > 500, 'for the lock period')
})

t.test('refresh rotates the refresh token; a reused one is refused and revokes its family', async (t) => {
  const h = await acdApp(t, { agents })
  const login = (await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: '1001', password: DEMO_PASSWORD } })).json()
  const r1 = await h.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: login.refreshToken } })
  t.equal(r1.statusCode, 200)
  t.not(r1.json().refreshToken, login.refreshToken)
  const reuse = await h.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: login.refreshToken } })
  t.equal(reuse.json().code, 'AUTH_ERR_REFRESH_INVALID')
  const after = await h.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: r1.json().refreshToken } })
  t.equal(after.statusCode, 401, 'the successor died with the family')
})

t.test('logout revokes the access token and the refresh token', async (t) => {
  const h = await acdApp(t, { agents })
  const login = (await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: '1001', password: DEMO_PASSWORD } })).json()
  const auth = { authorization: `Bearer ${login.token}` }
  const out = await h.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth, payload: { refreshToken: login.refreshToken } })
  t.equal(out.statusCode, 204)
  const me = await h.app.inject({ method: 'GET', url: '/v1/agents/me', headers: auth })
  t.equal(me.json().code, 'AUTH_ERR_TOKEN_INVALID')
  const r = await h.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: login.refreshToken } })
  t.equal(r.statusCode, 401)
})

t.test('an expired or forged token is refused with 401', async (t) => {
  const h = await acdApp(t, { agents })
  const token = await h.login('1001')
  const [head, payload] = token.split('.')
  const forged = `${head}.${payload}.${Buffer.from('not the signature').toString('base64url')}`
  const r1 = await h.app.inject({ method: 'GET', url: '/v1/agents/me', headers: { authorization: `Bearer ${forged}` } })
  t.equal(r1.statusCode, 401)
  t.equal(r1.json().code, 'AUTH_ERR_TOKEN_INVALID')
  h.advance(901_000)
  const r2 = await h.app.inject({ method: 'GET', url: '/v1/agents/me', headers: { authorization: `Bearer ${token}` } })
  t.equal(r2.json().code, 'AUTH_ERR_TOKEN_INVALID', 'expired after 15 minutes')
})

t.test('startup refuses demo accounts and a missing JWT secret in production', async (t) => {
  t.throws(() => loadConfig({ env: { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40) } }), { code: 'CFG_ERR_DEMO_IN_PRODUCTION' })
  const hash = await hashPassword('s3cret-pass')
  const agents = [{ id: '1001', name: '王芳', role: 'agent', skills: [], passwordHash: hash }]
  t.throws(() => loadConfig({ env: { NODE_ENV: 'production' }, overrides: { agents: agents as never } }), { code: 'CFG_ERR_INVALID' })
  const ok = loadConfig({ env: { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40) }, overrides: { agents: agents as never } })
  t.equal(ok.agents[0].id, '1001')
})

t.test('a supervisor sets an agent’s state; an agent may not set another’s', async (t) => {
  const h = await acdApp(t, { agents: [...agents, agent('1002', GENERAL)] })
  const sup = await h.login('9001')
  const ag = await h.login('1002')
  const r = await h.app.inject({ method: 'POST', url: '/v1/agents/1001/state', headers: { authorization: `Bearer ${sup}` }, payload: { state: 'not-ready', reason: '培训' } })
  t.equal(r.statusCode, 200)
  t.equal(r.json().state, 'not-ready')
  const log = await h.acd.stateLog('1001', '2026-11-27')
  t.equal(log.at(-1)?.by, '9001', 'the log says who')
  const f = await h.app.inject({ method: 'POST', url: '/v1/agents/1001/state', headers: { authorization: `Bearer ${ag}` }, payload: { state: 'ready' } })
  t.equal(f.statusCode, 403)
  t.equal(f.json().code, 'AUTH_ERR_FORBIDDEN')
  const bad = await h.app.inject({ method: 'POST', url: '/v1/agents/1001/state', headers: { authorization: `Bearer ${sup}` }, payload: { state: 'not-ready', reason: '发呆' } })
  t.equal(bad.statusCode, 400)
})
