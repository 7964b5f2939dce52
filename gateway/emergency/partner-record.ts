/**
 * A record an emergency partner handed to 12345 (110 passes a noise complaint, 122 a broken road
 * sign ...): pushed without a call (channels/emergency), or ahead of a call the partner transfers
 * into 12345. Kept by partner + the partner's case reference, so the SIP side matches an inbound
 * partner call to it (findPartnerRecord) and the console prefills the appeal from it.
 */
import type { Redis } from 'ioredis'
import type { Category, Location } from '../domain/appeal.ts'
import { emergencyKeys } from './handoff-store.ts'
import type { PartnerId } from './partners.ts'

/** A partner's case reference: safe in a Redis key, a SIP header and a URL. */
export const PARTNER_REFERENCE = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'

export interface PartnerRecord {
  partner: PartnerId
  /** The partner's own case number. */
  reference: string
  callerNumber: string
  callerName?: string
  location?: Location
  summary: string
  category?: Category
  /** When the partner took the call (their time). */
  time: string
  /** The appeal it became in 12345's queue. */
  appealId: string
  appealNumber: string
  /** When 12345 took it in. */
  receivedAt: string
}

/** The appeal's external id on channel `emergency`: partner + case reference (a re-delivery is the same appeal). */
export function partnerExternalId(partner: PartnerId, reference: string): string {
  return `${partner}:${reference}`
}

export class PartnerRecords {
  readonly #redis: Redis
  readonly #keys: ReturnType<typeof emergencyKeys>
  readonly #retentionSeconds: number

  constructor(redis: Redis, keyPrefix: string, retentionDays: number) {
    this.#redis = redis
    this.#keys = emergencyKeys(keyPrefix)
    this.#retentionSeconds = retentionDays * 86400
  }

  /** Idempotent: a re-delivery writes the same record again. */
  async save(record: PartnerRecord): Promise<void> {
    await this.#redis.set(this.#keys.partnerRecord(record.partner, record.reference), JSON.stringify(record), 'EX', this.#retentionSeconds)
  }

  async find(partner: PartnerId, reference: string): Promise<PartnerRecord | undefined> {
    if (!new RegExp(PARTNER_REFERENCE).test(reference)) return undefined
    const raw = await this.#redis.get(this.#keys.partnerRecord(partner, reference))
    return raw ? (JSON.parse(raw) as PartnerRecord) : undefined
  }
}
