/**
 * Loads the configuration once: defaults (schema) <- JSON file <- environment. Validates, freezes.
 * The only module that reads process.env.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { AgentConfigSchema, ConfigSchema, HotlineSchema, type Config } from './schema.ts'
import { CFG_ERR_DEMO_IN_PRODUCTION, CFG_ERR_INVALID } from './errors.ts'
import { readJsonFile } from './read-json.ts'
import { checkEmergency, EmergencyPartnerSchema } from './emergency-schema.ts'
import { Type } from '@sinclair/typebox'
import ipaddr from 'ipaddr.js'
import { TrunkSchema } from './sip-schema.ts'

export interface LoadOptions {
  /** JSON config file; default GATEWAY_CONFIG or config/gateway.json when it exists. */
  file?: string
  env?: NodeJS.ProcessEnv
  /** Applied last (tests): deep-merged over file and environment. */
  overrides?: DeepPartial<Config>
  /** Base directory for relative paths (hotlinesFile). */
  root?: string
}

export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T

type Json = Record<string, unknown>

export function loadConfig(opts: LoadOptions = {}): Readonly<Config> {
  const env = opts.env ?? process.env
  const root = opts.root ?? process.cwd()
  const file = opts.file ?? env.GATEWAY_CONFIG ?? defaultFile(root)
  let raw: Json = file ? readJson(resolve(root, file)) : {}
  raw = deepMerge(raw, fromEnv(env))
  if (opts.overrides) raw = deepMerge(raw, opts.overrides as Json)

  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw)) as Json
  assertValid(ConfigSchema, withDefaults, '')
  const config = withDefaults as unknown as Config

  if (config.hotlines.length === 0 && config.hotlinesFile) {
    const hotlines = readJson(resolve(root, config.hotlinesFile))
    assertValid(Type.Array(HotlineSchema), hotlines, '/hotlines')
    config.hotlines = hotlines as unknown as Config['hotlines']
  }
  checkHotlines(config)
  if (config.agents.length === 0 && config.agentsFile) {
    const agents = Value.Default(Type.Array(AgentConfigSchema), readJson(resolve(root, config.agentsFile)))
    assertValid(Type.Array(AgentConfigSchema), agents, '/agents')
    config.agents = agents as unknown as Config['agents']
  }
  checkAgents(config)
  checkVoice(config)
  if (config.emergency.partners.length === 0 && config.emergency.partnersFile) {
    const partners = Value.Default(Type.Array(EmergencyPartnerSchema), readJson(resolve(root, config.emergency.partnersFile)))
    assertValid(Type.Array(EmergencyPartnerSchema), partners, '/emergency/partners')
    config.emergency.partners = partners as unknown as Config['emergency']['partners']
  }
  checkEmergency(config.emergency, env, config.env)
  if (config.sip.drachtio.host && config.sip.trunks.length === 0 && config.sip.trunksFile) {
    const trunks = Value.Default(Type.Array(TrunkSchema), readJson(resolve(root, config.sip.trunksFile)))
    assertValid(Type.Array(TrunkSchema), trunks, '/sip/trunks')
    config.sip.trunks = trunks as unknown as Config['sip']['trunks']
  }
  checkSip(config)
  for (const app of config.channels.signedApps) app.secret = env[app.secretEnv] ?? ''
  return deepFreeze(config)
}

function defaultFile(root: string): string | undefined {
  const p = resolve(root, 'config/gateway.json')
  return existsSync(p) ? p : undefined
}

function readJson(path: string): Json {
  return readJsonFile(path) as Json
}

/** Environment variables the gateway reads, and where each lands in the schema. */
export const ENV_VARS: Record<string, string> = {
  NODE_ENV: '/env',
  PORT: '/server/port',
  HOST: '/server/host',
  LOG_LEVEL: '/log/level',
  REDIS_URL: '/redis/url',
  REDIS_KEY_PREFIX: '/redis/keyPrefix',
  STAFF_API_TOKENS: '/auth/staffTokens',
  WECHAT_OFFICIAL_TOKEN: '/channels/wechatOfficial/token',
  WECHAT_OFFICIAL_AES_KEY: '/channels/wechatOfficial/aesKey',
  WECHAT_OFFICIAL_APPID: '/channels/wechatOfficial/appId',
  WECHAT_MINI_APPID: '/channels/wechatMini/appId',
  WECHAT_MINI_SECRET: '/channels/wechatMini/secret',
  WECHAT_API_BASE: '/channels/wechatMini/apiBase',
  MESSAGE_BOARD_SECRET: '/channels/messageBoard/secret',
  MAILBOX_SECRET: '/channels/mailbox/secret',
  AUTH_JWT_SECRET: '/auth/jwtSecret',
  DEMO_PASSWORD: '/auth/demoPassword',
  HANDOFF_WEBHOOK_SECRET: '/handoff/webhookSecret',
  FREESWITCH_SERVERS: '/voice/servers',
  FS_ESL_PASSWORD: '/voice/eslPassword',
  VOICE_AREA_CODE: '/voice/areaCode',
  AGENT_SIP_SECRET: '/voice/softphone/secret',
  SOFTPHONE_WS_URL: '/voice/softphone/wsUrl',
  EMERGENCY_PUBLIC_URL: '/emergency/publicBaseUrl',
  DRACHTIO_HOST: '/sip/drachtio/host',
  DRACHTIO_PORT: '/sip/drachtio/port',
  DRACHTIO_SECRET: '/sip/drachtio/secret',
  DRACHTIO_TLS: '/sip/drachtio/tls',
  DRACHTIO_TLS_CA: '/sip/drachtio/tlsCaFile',
  SIP_MEDIA_SERVERS: '/sip/mediaServers',
}

function fromEnv(env: NodeJS.ProcessEnv): Json {
  const out: Json = {}
  for (const [name, path] of Object.entries(ENV_VARS)) {
    const value = env[name]
    if (value === undefined || value === '') continue
    let v: unknown = value
    if (path === '/server/port') v = /^\d+$/.test(value) ? Number(value) : value
    if (path === '/auth/staffTokens') v = value.split(',').map((s) => s.trim()).filter(Boolean)
    if (path === '/voice/servers') v = parseServers(value)
    if (path === '/sip/drachtio/port') v = /^\d+$/.test(value) ? Number(value) : value
    if (path === '/sip/drachtio/tls') v = value === '1' || value === 'true'
    if (path === '/sip/mediaServers') v = parseSipServers(value)
    setPath(out, path, v)
  }
  return out
}

/** FREESWITCH_SERVERS: `fs1=127.0.0.1:8021,fs2=10.0.0.2:8021` (id= optional; port default 8021). */
function parseServers(value: string): unknown[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item, i) => {
      const m = /^(?:([^=]+)=)?([^:]+)(?::(\d+))?$/.exec(item)
      if (!m) throw new CFG_ERR_INVALID(`/voice/servers/${i}`, `FREESWITCH_SERVERS item "${item}" is not [id=]host[:port]`)
      return { id: m[1] ?? `fs${i + 1}`, host: m[2], port: m[3] ? Number(m[3]) : 8021 }
    })
}

/** SIP_MEDIA_SERVERS: `fs1=sip:10.0.0.5:5080,fs2=sip:10.0.0.6:5080` (id= optional). */
function parseSipServers(value: string): unknown[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item, i) => {
      const m = /^(?:([A-Za-z0-9_-]+)=)?(sips?:\S+)$/.exec(item)
      if (!m) throw new CFG_ERR_INVALID(`/sip/mediaServers/${i}`, `SIP_MEDIA_SERVERS item "${item}" is not [id=]sip:host:port`)
      return { id: m[1] ?? `fs${i + 1}`, uri: m[2] }
    })
}

function setPath(obj: Json, path: string, value: unknown): void {
  const keys = path.split('/').filter(Boolean)
  let cur = obj
  for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Json
  cur[keys[keys.length - 1]] = value
}

function assertValid(schema: Parameters<typeof Value.Check>[0], value: unknown, base: string): void {
  const first = Value.Errors(schema, value).First()
  if (first) throw new CFG_ERR_INVALID(`${base}${first.path}` || '/', first.message)
}

function checkHotlines(config: Config): void {
  const seen = new Set<string>()
  config.hotlines.forEach((h, i) => {
    if (seen.has(h.number)) throw new CFG_ERR_INVALID(`/hotlines/${i}/number`, `duplicate number ${h.number}`)
    seen.add(h.number)
  })
  if (config.hotlines.length > 0 && !config.hotlines.some((h) => h.status === 'main')) {
    throw new CFG_ERR_INVALID('/hotlines', 'no hotline has status "main"')
  }
}

function checkAgents(config: Config): void {
  const seen = new Set<string>()
  config.agents.forEach((a, i) => {
    if (seen.has(a.id)) throw new CFG_ERR_INVALID(`/agents/${i}/id`, `duplicate agent ${a.id}`)
    seen.add(a.id)
    if (a.demo && config.env === 'production') throw new CFG_ERR_DEMO_IN_PRODUCTION(a.id)
    if (!a.demo && !a.passwordHash) throw new CFG_ERR_INVALID(`/agents/${i}/passwordHash`, 'required unless demo')
  })
  if (config.env === 'production' && config.auth.jwtSecret.length < 32) {
    throw new CFG_ERR_INVALID('/auth/jwtSecret', 'AUTH_JWT_SECRET (>= 32 characters) is required in production')
  }
  if (config.auth.jwtSecret !== '' && config.auth.jwtSecret.length < 32) {
    throw new CFG_ERR_INVALID('/auth/jwtSecret', 'AUTH_JWT_SECRET must be at least 32 characters')
  }
  if (config.handoff.webhookUrl && !config.handoff.webhookSecret) {
    throw new CFG_ERR_INVALID('/handoff/webhookSecret', 'HANDOFF_WEBHOOK_SECRET is required when handoff.webhookUrl is set')
  }
  const presence = config.acd.presenceTimeoutSeconds
  if (presence > 0 && presence * 1000 < 2 * config.console.heartbeatMs) {
    // Consoles refresh presence once per heartbeat: a shorter timeout would log connected agents out.
    throw new CFG_ERR_INVALID('/acd/presenceTimeoutSeconds', `must be 0 or at least two console heartbeats (${(2 * config.console.heartbeatMs) / 1000} s)`)
  }
}

function checkVoice(config: Config): void {
  const ids = new Set<string>()
  config.voice.servers.forEach((s, i) => {
    if (ids.has(s.id)) throw new CFG_ERR_INVALID(`/voice/servers/${i}/id`, `duplicate media server ${s.id}`)
    ids.add(s.id)
    if (!s.password && !config.voice.eslPassword) {
      throw new CFG_ERR_INVALID(`/voice/servers/${i}/password`, 'no event-socket password: set FS_ESL_PASSWORD')
    }
  })
  if (config.env === 'production' && config.voice.servers.length > 0 && (config.voice.softphone.secret.length < 32 || config.voice.softphone.secret.startsWith('dev-only'))) {
    throw new CFG_ERR_INVALID('/voice/softphone/secret', 'AGENT_SIP_SECRET (>= 32 characters) is required in production')
  }
  const e = config.voice.eventSocket
  if (e.healthIntervalMs + e.healthTimeoutMs + e.downAfterMs > 5000) {
    // A server that stops answering must be marked down within 5 s (its callers are waiting).
    throw new CFG_ERR_INVALID('/voice/eventSocket/downAfterMs', 'healthIntervalMs + healthTimeoutMs + downAfterMs must stay within 5000 ms')
  }
}

function checkSip(config: Config): void {
  const { sip } = config
  if (!sip.drachtio.host) return
  if (!sip.drachtio.secret) throw new CFG_ERR_INVALID('/sip/drachtio/secret', 'no drachtio-server secret: set DRACHTIO_SECRET')
  if (sip.mediaServers.length === 0) throw new CFG_ERR_INVALID('/sip/mediaServers', 'the SIP edge needs at least one FreeSWITCH (SIP_MEDIA_SERVERS)')
  const ids = new Set<string>()
  sip.trunks.forEach((tr, i) => {
    if (ids.has(tr.id)) throw new CFG_ERR_INVALID(`/sip/trunks/${i}/id`, `duplicate trunk ${tr.id}`)
    ids.add(tr.id)
    if (tr.kind === 'partner' && !tr.partner) throw new CFG_ERR_INVALID(`/sip/trunks/${i}/partner`, 'a partner trunk names its partner (110, 119, 120 or 122)')
    tr.sources.forEach((c, j) => {
      if (!isCidr(c)) throw new CFG_ERR_INVALID(`/sip/trunks/${i}/sources/${j}`, `"${c}" is not an address or CIDR`)
    })
  })
  if (sip.trunks.filter((tr) => tr.defaultOut).length > 1) throw new CFG_ERR_INVALID('/sip/trunks', 'only one trunk may be defaultOut')
  config.emergency.partners.forEach((p, i) => {
    if (!ids.has(p.trunk)) throw new CFG_ERR_INVALID(`/emergency/partners/${i}/trunk`, `no trunk ${p.trunk} in sip.trunks`)
  })
  const e = sip.optionsIntervalMs * sip.downAfterFailures + sip.optionsTimeoutMs
  if (e > 5000) throw new CFG_ERR_INVALID('/sip/optionsIntervalMs', 'optionsIntervalMs x downAfterFailures + optionsTimeoutMs must stay within 5000 ms')
}

function isCidr(value: string): boolean {
  try {
    if (value.includes('/')) ipaddr.parseCIDR(value)
    else ipaddr.parse(value)
    return true
  } catch {
    return false
  }
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function deepMerge(a: Json, b: Json): Json {
  const out: Json = { ...a }
  for (const [k, v] of Object.entries(b)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Json, v) : v
  }
  return out
}

function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object') {
    for (const v of Object.values(obj)) deepFreeze(v)
    Object.freeze(obj)
  }
  return obj
}
