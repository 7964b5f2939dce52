import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../config/load.ts'

t.test('defaults, with the 12345 line and the 22 merged numbers loaded from config/hotlines.json', async (t) => {
  const c = loadConfig({ env: {} })
  t.equal(c.server.port, 8080)
  t.equal(c.redis.url, 'redis://127.0.0.1:6379')
  t.equal(c.timezone, 'Asia/Shanghai')
  t.equal(c.hotlines.length, 23)
  t.equal(c.hotlines.filter((h) => h.status === 'main').map((h) => h.number).join(), '12345')
  const h12315 = c.hotlines.find((h) => h.number === '12315')
  t.match(h12315, { name: /市场监管/, department: '市市场监督管理局', status: 'parallel' })
  const cancelled = c.hotlines.filter((h) => h.status === 'cancelled')
  t.ok(cancelled.length > 10 && cancelled.every((h) => h.notice?.includes('已并入12345')), 'cancelled numbers carry the short notice')
})

t.test('the environment overrides the file, and secrets come only from it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-cfg-'))
  const file = join(dir, 'gateway.json')
  writeFileSync(file, JSON.stringify({ server: { port: 9000, drainSeconds: 3 }, log: { level: 'warn' } }))
  const c = loadConfig({
    file,
    env: { PORT: '9100', STAFF_API_TOKENS: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2', MAILBOX_SECRET: 's3cret', REDIS_URL: 'redis://10.0.0.5:6380' },
  })
  t.equal(c.server.port, 9100)
  t.equal(c.server.drainSeconds, 3)
  t.equal(c.log.level, 'warn')
  t.same(c.auth.staffTokens, ['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2'])
  t.equal(c.channels.mailbox.secret, 's3cret')
  t.equal(c.redis.url, 'redis://10.0.0.5:6380')
})

t.test('a bad value stops startup with the path of the field', async (t) => {
  t.throws(() => loadConfig({ env: { PORT: 'eighty' } }), { code: 'CFG_ERR_INVALID', message: /\/server\/port/ })
  t.throws(() => loadConfig({ env: {}, overrides: { log: { level: 'loud' as never } } }), { code: 'CFG_ERR_INVALID', message: /\/log\/level/ })
  t.throws(() => loadConfig({ env: {}, overrides: { surprise: 1 } as never }), { code: 'CFG_ERR_INVALID' })
  t.throws(() => loadConfig({ env: { STAFF_API_TOKENS: 'short' } }), { code: 'CFG_ERR_INVALID', message: /\/auth\/staffTokens\/0/ })
  t.throws(() => loadConfig({ env: { GATEWAY_CONFIG: '/nonexistent/gateway.json' } }), { code: 'CFG_ERR_FILE' })
})

t.test('hotline data is checked: duplicates and a missing main line are refused', async (t) => {
  const h = { name: '测试', department: '测试局', skill: 'x', category: '咨询' }
  t.throws(
    () => loadConfig({ env: {}, overrides: { hotlines: [{ ...h, number: '12345', status: 'main' }, { ...h, number: '12345', status: 'cancelled' }] } }),
    { code: 'CFG_ERR_INVALID', message: /\/hotlines\/1\/number/ },
  )
  t.throws(() => loadConfig({ env: {}, overrides: { hotlines: [{ ...h, number: '12315', status: 'cancelled' }] } }), { code: 'CFG_ERR_INVALID', message: /main/ })
})

t.test('the loaded configuration cannot be changed at run time', async (t) => {
  const c = loadConfig({ env: {} })
  t.throws(() => {
    ;(c.server as { port: number }).port = 1
  })
  t.equal(c.server.port, 8080)
})

t.test('a WeChat AES key that is not 43 letters and digits stops startup with its path, not a crash', async (t) => {
  t.throws(() => loadConfig({ env: { WECHAT_OFFICIAL_AES_KEY: 'too-short' } }), {
    code: 'CFG_ERR_INVALID',
    message: /\/channels\/wechatOfficial\/aesKey/,
  })
  const good = 'a'.repeat(43)
  t.equal(loadConfig({ env: { WECHAT_OFFICIAL_AES_KEY: good } }).channels.wechatOfficial.aesKey, good)
})

t.test('media servers come from FREESWITCH_SERVERS and need an event-socket password', async (t) => {
  const c = loadConfig({ env: { FREESWITCH_SERVERS: 'fs1=127.0.0.1:8021,10.0.0.2', FS_ESL_PASSWORD: 'pw' } })
  t.same(
    c.voice.servers.map((s) => [s.id, s.host, s.port]),
    [
      ['fs1', '127.0.0.1', 8021],
      ['fs2', '10.0.0.2', 8021],
    ],
  )
  t.equal(c.voice.eslPassword, 'pw')
  t.throws(() => loadConfig({ env: { FREESWITCH_SERVERS: 'fs1=127.0.0.1:8021' } }), { code: 'CFG_ERR_INVALID', message: /\/voice\/servers\/0\/password/ })
  t.throws(() => loadConfig({ env: { FREESWITCH_SERVERS: 'fs1=127.0.0.1:port', FS_ESL_PASSWORD: 'pw' } }), { code: 'CFG_ERR_INVALID', message: /\/voice\/servers\/0/ })
  t.throws(() => loadConfig({ env: { FREESWITCH_SERVERS: 'a=h1,a=h2', FS_ESL_PASSWORD: 'pw' } }), { code: 'CFG_ERR_INVALID', message: /\/voice\/servers\/1\/id/ })
  t.throws(() => loadConfig({ env: { VOICE_AREA_CODE: '10' } }), { code: 'CFG_ERR_INVALID', message: /\/voice\/areaCode/ })
  t.throws(
    () => loadConfig({ env: {}, overrides: { voice: { eventSocket: { downAfterMs: 4000 } } } }),
    { code: 'CFG_ERR_INVALID', message: /\/voice\/eventSocket\/downAfterMs/ },
    'a server must be marked down within 5 s',
  )
  t.throws(
    () => loadConfig({ env: {}, overrides: { voice: { agentDialString: 'user/1001' } } }),
    { code: 'CFG_ERR_INVALID', message: /\/voice\/agentDialString/ },
    'a dial string template must name ${agentId}',
  )
})

t.test('production with media servers needs a real AGENT_SIP_SECRET; without them it does not ask', async (t) => {
  const base = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40), FREESWITCH_SERVERS: 'fs1=127.0.0.1', FS_ESL_PASSWORD: 'pw' }
  const agents = [{ id: '1001', name: '王芳', passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA' }]
  t.throws(() => loadConfig({ env: base, overrides: { agents } }), { code: 'CFG_ERR_INVALID', message: /\/voice\/softphone\/secret/ })
  t.equal(loadConfig({ env: { ...base, AGENT_SIP_SECRET: 's'.repeat(32) }, overrides: { agents } }).voice.softphone.secret, 's'.repeat(32))
  t.ok(loadConfig({ env: { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40) }, overrides: { agents } }), 'voice off: no SIP secret needed')
})
