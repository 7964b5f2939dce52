import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildTestApp, staffHeaders } from '../helpers/app.ts'

const OPENID = 'oMini_citizen_42'
const SESSION_KEY = 'tiihtNczf5v6AKRyjwEUhQ=='

/** A local WeChat answering jscode2session as documented; codes pick the answer. */
async function fakeWechat(t: { teardown(fn: () => unknown): void }) {
  const seen: URL[] = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://127.0.0.1')
    seen.push(url)
    const code = url.searchParams.get('js_code')
    const answers: Record<string, object> = {
      'used-code': { errcode: 40029, errmsg: 'invalid code, rid: 668f2aa4-51c08c03-3d141241' },
      'too-fast': { errcode: 45011, errmsg: 'api minute-quota reach limit mustslower retry next minute' },
      'risky-user': { errcode: 40226, errmsg: 'code blocked' },
      'busy-now': { errcode: -1, errmsg: 'system error' },
      'bad-secret': { errcode: 40125, errmsg: 'invalid appsecret' },
    }
    res.setHeader('content-type', 'text/plain') // WeChat is known to label this JSON as text/plain
    if (url.pathname !== '/sns/jscode2session') return res.writeHead(404).end()
    res.end(JSON.stringify(answers[code ?? ''] ?? { session_key: SESSION_KEY, openid: OPENID }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

async function setup(t: { teardown(fn: () => unknown): void }, extra: Record<string, unknown> = {}) {
  const wx = await fakeWechat(t)
  const built = await buildTestApp(t, {
    config: { channels: { wechatMini: { appId: 'wx_mini_app_01', secret: 'mini-secret-xyz', apiBase: wx.apiBase, ...extra } } },
  })
  return { ...built, wx }
}

type App = Awaited<ReturnType<typeof setup>>['app']

async function login(app: App, code = 'good-code-001') {
  return app.inject({ method: 'POST', url: '/v1/channels/wechat/mini/session', payload: { code } })
}

/** Files an appeal as the mini-program does, with these headers (session token, idempotency key). */
function fileAppeal(app: App, headers: Record<string, string>, payload: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/v1/channels/wechat/mini/appeals', headers, payload })
}

t.test('a wx.login code becomes a gateway session; session_key and openid never leave or get logged', async (t) => {
  const { app, wx, logs, redis, prefix } = await setup(t)
  const res = await login(app)
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body.sessionToken, /^[A-Za-z0-9_-]{43}$/)
  t.equal(body.expiresIn, 7200)
  t.notMatch(res.body, new RegExp(`${SESSION_KEY.slice(0, 10)}|${OPENID}`))
  const q = wx.seen[0].searchParams
  t.same(
    { path: wx.seen[0].pathname, appid: q.get('appid'), secret: q.get('secret'), js_code: q.get('js_code'), grant_type: q.get('grant_type') },
    { path: '/sns/jscode2session', appid: 'wx_mini_app_01', secret: 'mini-secret-xyz', js_code: 'good-code-001', grant_type: 'authorization_code' },
  )
  const logText = JSON.stringify(logs)
  t.notMatch(logText, OPENID)
  t.notMatch(logText, SESSION_KEY.slice(0, 10))
  t.notMatch(logText, 'mini-secret-xyz')
  const [key] = (await redis.keys(`${prefix}:wx-mini:session:*`))
  t.ok((await redis.ttl(key)) > 7000, 'the session lives sessionTtlSeconds')
  t.notMatch(await redis.get(key), SESSION_KEY.slice(0, 10), 'session_key is not kept either')
  t.notOk(key.includes(body.sessionToken), 'only a hash of the token is stored')
})

t.test('WeChat’s errcodes become coded errors: the citizen’s code 4xx, WeChat’s trouble 5xx', async (t) => {
  const { app } = await setup(t)
  const cases: [string, number, string][] = [
    ['used-code', 400, 'CH_ERR_WECHAT_INVALID_CODE'],
    ['too-fast', 429, 'CH_ERR_WECHAT_RATE_LIMITED'],
    ['risky-user', 403, 'CH_ERR_WECHAT_USER_BLOCKED'],
    ['busy-now', 503, 'CH_ERR_WECHAT_BUSY'],
    ['bad-secret', 502, 'CH_ERR_WECHAT_BAD_RESPONSE'],
  ]
  for (const [code, status, errCode] of cases) {
    const res = await login(app, code)
    t.equal(res.statusCode, status, code)
    t.equal(res.json().code, errCode, code)
  }
  t.equal((await login(app, 'used-code')).json().field, '/code')
})

t.test('WeChat unreachable answers 503 with Retry-After', async (t) => {
  const { app } = await setup(t, { apiBase: 'http://127.0.0.1:1' })
  const res = await login(app)
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'CH_ERR_WECHAT_UNREACHABLE')
  t.ok(res.headers['retry-after'])
})

t.test('without appId and secret the mini-program channel is disabled', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/v1/channels/wechat/mini/session', payload: { code: 'abc' } })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'CH_ERR_CHANNEL_DISABLED')
})

t.test('an appeal with a session is filed under the session’s openid and shows in the citizen’s history', async (t) => {
  const { app, queue } = await setup(t)
  const token = (await login(app)).json().sessionToken
  const res = await fileAppeal(app, { authorization: `Bearer ${token}` }, {
    citizen: { phone: '138 0013 8000', name: '李先生' },
    content: '人行道上的树倒了',
    location: { lat: 30.27, lng: 120.15 },
  })
  t.equal(res.statusCode, 202)
  const appeal = await queue.get(res.json().id)
  t.equal(appeal?.channel, 'wechat-mini')
  t.same(appeal?.citizen, { phone: '13800138000', name: '李先生', openid: OPENID })
  const history = await app.inject({ method: 'GET', url: `/v1/citizens/${OPENID}/appeals`, headers: staffHeaders })
  t.same(history.json().appeals.map((a: { id: string }) => a.id), [appeal!.id])
})

t.test('an Idempotency-Key makes a retried appeal the same appeal', async (t) => {
  const { app, queue } = await setup(t)
  const token = (await login(app)).json().sessionToken
  const send = () => fileAppeal(app, { authorization: `Bearer ${token}`, 'idempotency-key': 'mini-retry-0001' }, { content: '垃圾桶满了' })
  const first = await send()
  const again = await send()
  t.equal(again.statusCode, 202)
  t.equal(again.json().appealNumber, first.json().appealNumber)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.equal((await queue.stats()).waiting, 1)
})

t.test('no session, an unknown token or an expired session is refused with 401', async (t) => {
  const { app, redis, prefix } = await setup(t)
  const post = (headers: Record<string, string>) => fileAppeal(app, headers, { content: '测试' })
  const none = await post({})
  t.equal(none.statusCode, 401)
  t.equal(none.json().code, 'CH_ERR_WECHAT_SESSION_REQUIRED')
  const unknown = await post({ authorization: `Bearer ${'A'.repeat(43)}` })
  t.equal(unknown.json().code, 'CH_ERR_WECHAT_SESSION_EXPIRED')

  const token = (await login(app)).json().sessionToken
  t.equal((await post({ authorization: `Bearer ${token}` })).statusCode, 202)
  for (const key of await redis.keys(`${prefix}:wx-mini:session:*`)) await redis.expire(key, 0) // the TTL runs out
  const expired = await post({ authorization: `Bearer ${token}` })
  t.equal(expired.statusCode, 401)
  t.equal(expired.json().code, 'CH_ERR_WECHAT_SESSION_EXPIRED')
})

t.test('an openid in the body is refused: the session decides who the citizen is', async (t) => {
  const { app, queue } = await setup(t)
  const token = (await login(app)).json().sessionToken
  const res = await fileAppeal(app, { authorization: `Bearer ${token}` }, { citizen: { openid: 'oSomeoneElse99' }, content: '冒充别人' })
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'CH_ERR_VALIDATION')
  t.equal(res.json().field, '/citizen/openid')
  t.equal((await queue.stats()).waiting, 0)
})
