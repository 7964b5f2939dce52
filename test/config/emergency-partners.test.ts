import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../config/load.ts'
import type { EmergencyPartner } from '../../config/emergency-schema.ts'

const FILE_PARTNERS = JSON.parse(readFileSync('config/emergency-partners.json', 'utf8')) as EmergencyPartner[]

function partnersFile(t: { teardown(fn: () => void): void }, partners: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-partners-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'partners.json')
  writeFileSync(file, JSON.stringify(partners))
  return file
}

t.test('the four partners load from config/emergency-partners.json with their agreed item lists', async (t) => {
  const c = loadConfig({ env: {} })
  t.same(c.emergency.partners.map((p) => [p.id, p.name]), [['110', '公安110'], ['119', '消防119'], ['120', '急救120'], ['122', '交警122']])
  const p110 = c.emergency.partners[0]
  t.match(p110, { trunk: 'partner-110', dial: '110', recordEndpoint: '', secretEnv: 'EMERGENCY_110_SECRET', secret: '' })
  t.ok(p110.items.some((i) => i.label === '打架斗殴' && i.keywords.includes('打架')))
  t.ok(p110.itemsTo12345.some((i) => i.label.startsWith('噪音扰民')), 'and what 110 hands to 12345')
  t.equal(c.emergency.linkTtlHours, 72)
  t.equal(c.emergency.push.queueName, 'emergency-records')
})

t.test('secrets come from the environment variable each partner names; the public URL from EMERGENCY_PUBLIC_URL', async (t) => {
  const partners = FILE_PARTNERS.map((p) => (p.id === '120' ? { ...p, recordEndpoint: 'https://120.example.gov.cn/handoffs' } : p))
  const c = loadConfig({ env: { EMERGENCY_120_SECRET: 's3cret-120', EMERGENCY_PUBLIC_URL: 'https://12345.example.gov.cn' }, overrides: { emergency: { partners } } })
  t.equal(c.emergency.partners.find((p) => p.id === '120')!.secret, 's3cret-120')
  t.equal(c.emergency.publicBaseUrl, 'https://12345.example.gov.cn')
  t.throws(() => (c.emergency.partners[0] as { secret: string }).secret = 'x', 'frozen like the rest')
})

t.test('a bad partner stops startup with CFG_ERR_INVALID and the path of the field', async (t) => {
  const bad = (change: (p: Record<string, unknown>) => void, index = 0) => {
    const list = structuredClone(FILE_PARTNERS) as unknown as Record<string, unknown>[]
    change(list[index])
    return list
  }
  const cases: [string, unknown, RegExp][] = [
    ['an unknown id', bad((p) => (p.id = '911')), /\/emergency\/partners\/0\/id/],
    ['a trunk id with spaces', bad((p) => (p.trunk = 'partner 110'), 1), /\/emergency\/partners\/1\/trunk/],
    ['a dial string with letters', bad((p) => (p.dial = '11O'), 2), /\/emergency\/partners\/2\/dial/],
    ['an endpoint that is not http(s)', bad((p) => (p.recordEndpoint = 'ftp://110.example/records')), /\/emergency\/partners\/0\/recordEndpoint/],
    ['a lower-case secretEnv', bad((p) => (p.secretEnv = 'secret_110')), /\/emergency\/partners\/0\/secretEnv/],
    ['no items', bad((p) => (p.items = []), 3), /\/emergency\/partners\/3\/items/],
    ['an item without keywords', bad((p) => ((p.items as { keywords: string[] }[])[1].keywords = [])), /\/emergency\/partners\/0\/items\/1\/keywords/],
    ['an unknown field', bad((p) => (p.sipTarget = 'sip:110@10.0.0.1')), /\/emergency\/partners\/0\/sipTarget/],
    ['a duplicate partner', bad((p) => (p.id = '110'), 1), /\/emergency\/partners\/1\/id.*duplicate/],
    ['an endpoint whose secret is not set', bad((p) => (p.recordEndpoint = 'https://110.example.gov.cn/records')), /\/emergency\/partners\/0\/secretEnv.*EMERGENCY_110_SECRET/],
  ]
  for (const [what, partners, path] of cases) {
    t.throws(() => loadConfig({ env: {}, overrides: { emergency: { partnersFile: partnersFile(t, partners) } } }), { code: 'CFG_ERR_INVALID', message: path }, what)
  }
  t.throws(() => loadConfig({ env: {}, overrides: { emergency: { partnersFile: '/nonexistent/partners.json' } } }), { code: 'CFG_ERR_FILE' }, 'a missing file')
  t.throws(() => loadConfig({ env: { EMERGENCY_PUBLIC_URL: 'not a url' } }), { code: 'CFG_ERR_INVALID', message: /\/emergency\/publicBaseUrl/ })
  t.throws(() => loadConfig({ env: {}, overrides: { emergency: { linkTtlHours: 0 } } }), { code: 'CFG_ERR_INVALID', message: /\/emergency\/linkTtlHours/ })
})

t.test('production needs an https public URL once a partner takes pushes (the links go to them)', async (t) => {
  const prod = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40), EMERGENCY_110_SECRET: 's3cret' }
  const agents = [{ id: '1001', name: '王芳', passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA' }]
  const partners = FILE_PARTNERS.map((p) => (p.id === '110' ? { ...p, recordEndpoint: 'https://110.example.gov.cn/records' } : p))
  t.throws(() => loadConfig({ env: prod, overrides: { agents, emergency: { partners } } }), { code: 'CFG_ERR_INVALID', message: /\/emergency\/publicBaseUrl/ })
  t.ok(loadConfig({ env: { ...prod, EMERGENCY_PUBLIC_URL: 'https://12345.example.gov.cn' }, overrides: { agents, emergency: { partners } } }))
  t.ok(loadConfig({ env: prod, overrides: { agents } }), 'no partner endpoint: nothing to ask')
})
