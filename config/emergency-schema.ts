/**
 * Emergency partners (110 police, 119 fire, 120 ambulance, 122 traffic police) and the handoff
 * record's settings: links for dispatchers, the push to the partners' platforms. The partners are
 * data (config/emergency-partners.json), validated at startup with the rest (config/load.ts).
 */
import { Type, type Static } from '@sinclair/typebox'
import { CFG_ERR_INVALID } from './errors.ts'

export const PARTNER_IDS = ['110', '119', '120', '122'] as const

/** One entry of an agreed item list (as in the published 12345–110 linkage lists). */
export const PartnerItemSchema = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 40 }),
    /** Words that say an appeal is this item; matched as whole words (jieba), not inside other words. */
    keywords: Type.Array(Type.String({ minLength: 1, maxLength: 20, pattern: '^\\S+$' }), { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
)
export type PartnerItem = Static<typeof PartnerItemSchema>

export const EmergencyPartnerSchema = Type.Object(
  {
    id: Type.Union(PARTNER_IDS.map((id) => Type.Literal(id))),
    /** Shown to agents and dispatchers: 公安110, 消防119, 急救120, 交警122. */
    name: Type.String({ minLength: 1, maxLength: 20 }),
    /** The SIP trunk calls to this partner leave on (config/trunks.json, used by the SIP edge). */
    trunk: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }),
    /** The number dialed on that trunk. */
    dial: Type.String({ pattern: '^[0-9]{2,20}$' }),
    /** Where the partner's platform takes a pushed handoff record; empty: no push (the link only). */
    recordEndpoint: Type.String({ default: '', pattern: '^(https?://\\S+)?$' }),
    /** Name of the environment variable with the HMAC secret of pushes to and from this partner. */
    secretEnv: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
    /** Filled from `secretEnv` by the loader; never written in a file. */
    secret: Type.String({ default: '' }),
    /** What 12345 hands to this partner. */
    items: Type.Array(PartnerItemSchema, { minItems: 1 }),
    /** What this partner hands to 12345 (not theirs): an appeal that matches these stays with 12345. */
    itemsTo12345: Type.Array(PartnerItemSchema, { default: [] }),
  },
  { additionalProperties: false },
)
export type EmergencyPartner = Static<typeof EmergencyPartnerSchema>
export type PartnerId = EmergencyPartner['id']

const RateLimitSchema = Type.Object(
  {
    max: Type.Integer({ minimum: 1, default: 120 }),
    timeWindowMs: Type.Integer({ minimum: 1000, default: 60_000 }),
  },
  { additionalProperties: false, default: {} },
)

export const EmergencySchema = Type.Object(
  {
    partners: Type.Array(EmergencyPartnerSchema, { default: [] }),
    partnersFile: Type.String({ default: 'config/emergency-partners.json' }),
    /** How partners reach this gateway (EMERGENCY_PUBLIC_URL): the dispatcher links and recording links start with it. */
    publicBaseUrl: Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*[^\\s/])?$', default: 'http://127.0.0.1:8080' }),
    /** Hours a dispatcher link stays valid (then 410 EMERGENCY_ERR_LINK_EXPIRED). */
    linkTtlHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 90, default: 72 }),
    push: Type.Object(
      {
        queueName: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'emergency-records' }),
        /**
         * Tries per record. With the defaults (2 s doubling, capped at 60 s) 60 tries span about 56
         * minutes: a partner platform down for ten minutes (or fifty) still gets the record.
         */
        attempts: Type.Integer({ minimum: 1, default: 60 }),
        backoffMs: Type.Integer({ minimum: 1, default: 2000 }),
        maxBackoffMs: Type.Integer({ minimum: 1, default: 60_000 }),
        timeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
        concurrency: Type.Integer({ minimum: 1, default: 4 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Dispatcher links and partner record pushes, per source address. */
    rateLimit: RateLimitSchema,
  },
  { additionalProperties: false, default: {} },
)
export type EmergencyConfig = Static<typeof EmergencySchema>

/** Milliseconds the push waits before try `attempt + 1` (bullmq's attemptsMade): doubling, capped. */
export function pushDelayMs(push: EmergencyConfig['push'], attemptsMade: number): number {
  return Math.min(push.maxBackoffMs, push.backoffMs * 2 ** Math.max(0, attemptsMade - 1))
}

/** Total time the push keeps trying a record whose partner never answers (the sum of the delays). */
export function pushSpanMs(push: EmergencyConfig['push']): number {
  let total = 0
  for (let made = 1; made < push.attempts; made++) total += pushDelayMs(push, made)
  return total
}

/**
 * Rules beyond the schema: one entry per partner, secrets from the environment, and in production
 * links that partners can open. Throws CFG_ERR_INVALID with the path of the field.
 */
export function checkEmergency(e: EmergencyConfig, env: NodeJS.ProcessEnv, nodeEnv: string): void {
  const seen = new Set<string>()
  e.partners.forEach((p, i) => {
    if (seen.has(p.id)) throw new CFG_ERR_INVALID(`/emergency/partners/${i}/id`, `duplicate partner ${p.id}`)
    seen.add(p.id)
    p.secret = env[p.secretEnv] ?? ''
    if (p.recordEndpoint && !p.secret) {
      throw new CFG_ERR_INVALID(`/emergency/partners/${i}/secretEnv`, `${p.secretEnv} is not set: records to ${p.id} cannot be signed`)
    }
  })
  if (nodeEnv === 'production' && e.partners.some((p) => p.recordEndpoint) && !e.publicBaseUrl.startsWith('https://')) {
    throw new CFG_ERR_INVALID('/emergency/publicBaseUrl', 'EMERGENCY_PUBLIC_URL (https) is required in production: partners open the record links')
  }
  if (e.push.maxBackoffMs < e.push.backoffMs) {
    throw new CFG_ERR_INVALID('/emergency/push/maxBackoffMs', 'must be at least backoffMs')
  }
}
