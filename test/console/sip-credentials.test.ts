import t from 'tap'
import { createHash } from 'node:crypto'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { consoleApp } from './helpers/console-app.ts'
import { a1Hash, sipPassword } from '../../gateway/telephony/sip-credentials.ts'
import { renderAgentFile, renderAgents } from '../../config/freeswitch/render-agents.ts'
import { digestParams } from '../peers/sip-ws/peer.ts'
import frames from '../peers/sip-ws/frames/ws3.json' with { type: 'json' }

const SECRET = 'sip-credentials-test-secret-0123456789'
const softphone = { wsUrl: 'wss://voice.example.gov.cn:7443', domain: 'agents.example.gov.cn', secret: SECRET }
/** The softphone exists with the voice path on (media servers configured); nothing connects here. */
const servers = [{ id: 'fs1', host: '127.0.0.1', port: 8021, password: 'unused-in-this-test' }]
const md5 = (s: string) => createHash('md5').update(s).digest('hex')

t.test('the password is the first 24 characters of base64url(HMAC-SHA256(secret, "sip:" + id))', async (t) => {
  t.equal(sipPassword('s3cret', '1001'), 'B-kPWqAirNlCmcmvJ1eDs9vU', 'a fixed value: the FreeSWITCH directory depends on it')
  t.equal(sipPassword(SECRET, '1001'), sipPassword(SECRET, '1001'), 'stable')
  t.not(sipPassword(SECRET, '1001'), sipPassword(SECRET, '1002'), 'one per agent')
  t.not(sipPassword(SECRET, '1001'), sipPassword(`${SECRET}x`, '1001'), 'another secret, another password')
  t.match(sipPassword(SECRET, '1001'), /^[A-Za-z0-9_-]{24}$/)
})

t.test('a1-hash is the HA1 FreeSWITCH checks a recorded JsSIP digest against', async (t) => {
  // ws3-webrtc-call.txt frame 3: user 1001, realm 127.0.0.1, password 1234.
  const text = frames.frames['register-auth'].text
  const p = digestParams(/^Authorization: (.*)$/m.exec(text)![1])
  const ha1 = a1Hash('1001', '127.0.0.1', '1234')
  t.equal(ha1, 'dcc903131467b6fd67c31e7534be08fd', 'the value in config/freeswitch/README.md')
  t.equal(md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${md5(`REGISTER:${p.uri}`)}`), p.response, 'the recorded response')
})

t.test('GET /v1/agent/softphone', async (t) => {
  const c = await consoleApp(t, { voice: { servers, softphone } })

  t.test('refuses a request without a token, or with a bad one, with a coded 401', async (t) => {
    const none = await c.app.inject({ url: '/v1/agent/softphone' })
    t.equal(none.statusCode, 401)
    t.equal(none.json().code, 'AUTH_ERR_TOKEN_INVALID')
    const bad = await c.app.inject({ url: '/v1/agent/softphone', headers: { authorization: 'Bearer not-a-jwt' } })
    t.equal(bad.statusCode, 401)
    t.equal(bad.json().code, 'AUTH_ERR_TOKEN_INVALID')
    const expired = await c.app.inject({ url: '/v1/agent/softphone', headers: { authorization: `Bearer ${await c.token('1001', 'agent', -10)}` } })
    t.equal(expired.statusCode, 401, 'an expired token too')
    t.notMatch(none.body + bad.body + expired.body, sipPassword(SECRET, '1001'))
  })

  t.test("answers the agent's own credentials, never cached", async (t) => {
    const res = await c.app.inject({ url: '/v1/agent/softphone', headers: { authorization: `Bearer ${await c.token('1001')}` } })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'no-store')
    t.same(res.json(), {
      wsUrl: 'wss://voice.example.gov.cn:7443',
      uri: 'sip:1001@agents.example.gov.cn',
      authorizationUser: '1001',
      password: sipPassword(SECRET, '1001'),
      displayName: '王芳',
      autoAnswer: false,
    })
    const again = await c.app.inject({ url: '/v1/agent/softphone', headers: { authorization: `Bearer ${await c.token('1001')}` } })
    t.equal(again.json().password, res.json().password, 'the same password at every login')
    const other = await c.app.inject({ url: '/v1/agent/softphone', headers: { authorization: `Bearer ${await c.token('1002')}` } })
    t.equal(other.json().uri, 'sip:1002@agents.example.gov.cn', 'another agent gets their own')
    t.not(other.json().password, res.json().password)
  })

  t.test('a supervisor gets theirs too (listen-in)', async (t) => {
    const res = await c.app.inject({ url: '/v1/agent/softphone', headers: { authorization: `Bearer ${await c.token('9001', 'supervisor')}` } })
    t.equal(res.statusCode, 200)
    t.equal(res.json().authorizationUser, '9001')
    t.equal(res.json().displayName, '张主任')
  })

  t.test('the password never reaches the log', async (t) => {
    const logged = JSON.stringify(c.logs)
    for (const id of ['1001', '1002', '9001']) t.notMatch(logged, sipPassword(SECRET, id), `not ${id}'s`)
    t.ok(c.logs.some((l) => l.msg === 'softphone credentials issued' && l.agentId === '1001'), 'the issue itself is logged, with the agent only')
  })

  t.test("the console page may connect to FreeSWITCH's websocket, and to nothing else", async (t) => {
    const res = await c.app.inject({ url: '/console/' })
    t.match(res.headers['content-security-policy'], /connect-src 'self' wss:\/\/voice\.example\.gov\.cn:7443;/)
    t.match(res.body, '/console/vendor/jssip.min.js', 'the page loads JsSIP from the gateway itself')
  })

  t.test("JsSIP's browser build is served from node_modules", async (t) => {
    const res = await c.app.inject({ url: '/console/vendor/jssip.min.js' })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], 'text/javascript')
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.match(res.body, /^("use strict";)?var JsSIP=/, 'one script that defines window.JsSIP')
    t.match(res.body, 'WebSocketInterface')
  })
})

t.test('without media servers (voice path off) there is no softphone: 404, and the page connects only to us', async (t) => {
  const c = await consoleApp(t, { voice: { softphone } })
  const res = await c.app.inject({ url: '/v1/agent/softphone', headers: { authorization: `Bearer ${await c.token('1001')}` } })
  t.equal(res.statusCode, 404)
  t.notMatch(res.body, sipPassword(SECRET, '1001'))
  t.match((await c.app.inject({ url: '/console/' })).headers['content-security-policy'], "connect-src 'self';")
})

t.test('autoAnswer comes from the agent’s phone settings', async (t) => {
  const c = await consoleApp(t, {
    voice: { servers, softphone },
    agents: [{ id: '1001', name: '王芳', role: 'agent', demo: true, writtenCapacity: 3, skills: [], phone: { autoAnswer: true } }],
  })
  const res = await c.app.inject({ url: '/v1/agent/softphone', headers: { authorization: `Bearer ${await c.token('1001')}` } })
  t.equal(res.json().autoAnswer, true)
})

t.test('render-agents writes a directory file per agent with the a1-hash, never the password', async (t) => {
  const opts = { domain: '127.0.0.1', secret: SECRET }
  const xml = renderAgentFile({ id: '1001', name: '王芳 <&"> ' }, opts)
  const password = sipPassword(SECRET, '1001')
  t.match(xml, `<param name="a1-hash" value="${md5(`1001:127.0.0.1:${password}`)}"/>`, 'md5(id:domain:password)')
  t.notMatch(xml, password, 'no plaintext')
  t.match(xml, '<variable name="effective_caller_id_name" value="王芳 &lt;&amp;&quot;&gt; "/>', 'the name, escaped')
  const lines = xml.split('\n')
  t.equal(lines[0], '<include>', 'the include tags on lines of their own (the pre-processor drops such lines)')
  t.equal(lines.at(-2), '</include>')

  const dir = mkdtempSync(join(tmpdir(), 'fs-agents-'))
  writeFileSync(join(dir, '7777.xml'), '<include>\n</include>\n')
  writeFileSync(join(dir, 'README.txt'), 'kept')
  const written = renderAgents([{ id: '1001', name: '王芳' }, { id: '1002', name: '李强' }], opts, dir)
  t.equal(written.length, 2)
  t.same(readdirSync(dir).sort(), ['1001.xml', '1002.xml', 'README.txt'], 'a removed agent’s file goes; other files stay')
  t.equal(readFileSync(join(dir, '1001.xml'), 'utf8'), xml.replace('王芳 &lt;&amp;&quot;&gt; ', '王芳'))
})

t.test('npx tsx config/freeswitch/render-agents.ts --out <dir> renders config/agents.json with AGENT_SIP_SECRET', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-agents-cli-'))
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'config/freeswitch/render-agents.ts', '--out', dir], {
    env: { ...process.env, AGENT_SIP_SECRET: SECRET, GATEWAY_CONFIG: '' },
  })
  t.match(stdout, '3 agent files written')
  const all = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('')
  for (const id of ['1001', '1002', '9001']) {
    t.match(all, md5(`${id}:127.0.0.1:${sipPassword(SECRET, id)}`), `${id}'s a1-hash`)
    t.notMatch(all, sipPassword(SECRET, id), `no plaintext for ${id}`)
  }
})
