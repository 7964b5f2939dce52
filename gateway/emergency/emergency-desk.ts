/**
 * The record side of the 12345 <-> 110/119/120/122 handoff, in one object per process:
 *   handOff      a one-key transfer, a three-party call or a written appeal's escalation: the record
 *                is built, stored (the appeal's handoff history, the day count) and queued for push
 *   escalate     handOff of a written appeal with no call ('record-only')
 *   answer       a dispatcher's 已接收 / 退回12345 through the link
 *   recordFirstReceiver   首接负责 after an undecided three-party call
 *   findPartnerRecord     a record a partner handed to 12345, by the partner's reference
 *   handoffsToday         per partner, the centre-local day (wallboard)
 * Every change to a record is published (onChange): the console shows pending / delivered /
 * acknowledged / returned live (`handoff.updated`, agent-console/server/emergency-push.ts).
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../../config/schema.ts'
import type { Category, Location } from '../domain/appeal.ts'
import type { AppealQueue } from '../domain/ports.ts'
import { isLinkToken, linksFor, newLinkToken } from './dispatcher-link.ts'
import { EMERGENCY_ERR_APPEAL_NOT_FOUND, EMERGENCY_ERR_HANDOFF_NOT_FOUND, EMERGENCY_ERR_LINK_EXPIRED, EMERGENCY_ERR_LINK_INVALID } from './errors.ts'
import {
  answerRecord,
  buildHandoffRecord,
  markDelivered,
  markFirstReceiver,
  markPushFailed,
  type HandoffHow,
  type HandoffRecord,
  type PartnerAnswer,
} from './handoff-record.ts'
import { HandoffStore } from './handoff-store.ts'
import { PartnerRecords, type PartnerRecord } from './partner-record.ts'
import { partnerOf, type EmergencyPartner, type PartnerId, type Platform } from './partners.ts'
import type { PushLedger } from './record-push.ts'
import { suggestPartner, type SuggestInput, type Suggestion } from './suggest.ts'

export interface HandOffRequest {
  appealId: string
  partner: PartnerId
  how: HandoffHow
  /** The agent handing it over. */
  agentId: string
  /** What the agent wrote so far: a live call's appeal text is only a placeholder. */
  summary?: string
  category?: Category
  location?: Location
  /** The agreed item (the console's suggestion), if the agent took it. */
  item?: string
}

export interface EmergencyDeskOptions {
  config: Readonly<Config>
  redis: Redis
  queue: AppealQueue
  /** Queues a record's push (record-push.ts); absent: records are stored, never pushed (tests). */
  push?: { enqueue(handoffId: string): Promise<void> }
  clock?: () => Date
  logger?: Logger
  /** Every stored change of a record (created, delivered, answered ...): the consoles show it. */
  onChange?: (record: HandoffRecord) => Promise<void>
}

export class EmergencyDesk implements PushLedger {
  readonly store: HandoffStore
  readonly partnerRecords: PartnerRecords
  readonly #o: EmergencyDeskOptions
  readonly #clock: () => Date
  readonly #partners: readonly EmergencyPartner[]

  constructor(o: EmergencyDeskOptions) {
    this.#o = o
    this.#clock = o.clock ?? (() => new Date())
    this.#partners = o.config.emergency.partners
    const { keyPrefix } = o.config.redis
    this.store = new HandoffStore(o.redis, keyPrefix, {
      retentionDays: o.config.queue.retentionDays,
      countDays: o.config.acd.historyDays,
      timezone: o.config.timezone,
    })
    this.partnerRecords = new PartnerRecords(o.redis, keyPrefix, o.config.queue.retentionDays)
  }

  get partners(): readonly EmergencyPartner[] {
    return this.#partners
  }

  /** The configured partner; EMERGENCY_ERR_UNKNOWN_PARTNER otherwise. */
  partner(id: string): EmergencyPartner {
    return partnerOf(this.#partners, id)
  }

  partnerById(id: string): EmergencyPartner | undefined {
    return this.#partners.find((p) => p.id === id)
  }

  /** The partner an appeal looks like it belongs to (with the agent's summary so far), or undefined. */
  suggest(appeal: SuggestInput): Suggestion | undefined {
    return suggestPartner(appeal, this.#partners)
  }

  /**
   * Hands an appeal to a partner: builds the record, stores it (the appeal's handoff history, the
   * day count, the dispatcher link) and queues its push. While the appeal has an unreturned handoff
   * to that partner, that one is returned instead (created: false): a double click is one handoff.
   */
  async handOff(req: HandOffRequest): Promise<{ record: HandoffRecord; created: boolean }> {
    const partner = this.partner(req.partner)
    const appeal = await this.#o.queue.get(req.appealId)
    if (!appeal) throw Object.assign(new EMERGENCY_ERR_APPEAL_NOT_FOUND(req.appealId), { field: '/appealId' })
    const now = this.#clock()
    const token = newLinkToken()
    const expiresAt = new Date(now.getTime() + this.#o.config.emergency.linkTtlHours * 3_600_000)
    const record = buildHandoffRecord(appeal, { id: req.agentId, name: this.#agentName(req.agentId) }, req.how, {
      id: `ho_${randomBytes(12).toString('base64url')}`,
      partner,
      at: now,
      links: linksFor(this.#o.config.emergency.publicBaseUrl, token, expiresAt, Boolean(appeal.call?.recording)),
      summary: req.summary,
      category: req.category,
      location: req.location,
      item: req.item,
    })
    const stored = await this.store.create(record, token, now)
    if (stored.created) {
      this.#o.logger?.info({ handoffId: record.id, appealId: record.appealId, partner: record.partner, how: record.how, agentId: req.agentId }, 'appeal handed to an emergency partner')
      if (partner.recordEndpoint) await this.#o.push?.enqueue(record.id)
      await this.#changed(stored.record)
    }
    return stored
  }

  /** A written appeal (no call) that turned out urgent: the record alone, pushed to the partner. */
  async escalate(appealId: string, partner: PartnerId, agentId: string): Promise<HandoffRecord> {
    return (await this.handOff({ appealId, partner, how: 'record-only', agentId })).record
  }

  /** The appeal's handoffs, oldest first: who, when, to whom, how, and where each stands. */
  records(appealId: string): Promise<HandoffRecord[]> {
    return this.store.forAppeal(appealId)
  }

  get(handoffId: string): Promise<HandoffRecord | undefined> {
    return this.store.get(handoffId)
  }

  /** The record behind a dispatcher link: EMERGENCY_ERR_LINK_INVALID (404) or _EXPIRED (410). */
  async byLink(token: string): Promise<HandoffRecord> {
    if (!isLinkToken(token)) throw new EMERGENCY_ERR_LINK_INVALID()
    const entry = await this.store.link(token)
    if (!entry) throw new EMERGENCY_ERR_LINK_INVALID()
    if (Date.parse(entry.expiresAt) <= this.#clock().getTime()) throw new EMERGENCY_ERR_LINK_EXPIRED(entry.expiresAt)
    const record = await this.store.get(entry.handoffId)
    if (!record) throw new EMERGENCY_ERR_LINK_INVALID()
    return record
  }

  /** The dispatcher's answer through the link: 已接收 (acknowledged) or 退回12345 with a reason (returned). */
  async answer(token: string, answer: PartnerAnswer, reason?: string): Promise<HandoffRecord> {
    const record = await this.byLink(token)
    const at = this.#clock().toISOString()
    const r = await this.store.update(record.id, (cur) => answerRecord(cur, answer, reason, at, `dispatcher:${cur.partner}`))
    if (!r) throw new EMERGENCY_ERR_LINK_INVALID()
    if (r.changed) {
      this.#o.logger?.info({ handoffId: record.id, appealId: record.appealId, partner: record.partner, answer }, 'emergency partner answered a handoff')
      await this.#changed(r.record)
    }
    return r.record
  }

  /**
   * 首接负责: a three-party call ended without deciding whose it is; the platform that received the
   * appeal first handles it. Recorded on the handoff (and its history) by the agent.
   */
  async recordFirstReceiver(handoffId: string, platform: Platform, agentId: string): Promise<HandoffRecord> {
    if (platform !== '12345') this.partner(platform)
    const at = this.#clock().toISOString()
    const r = await this.store.update(handoffId, (cur) => markFirstReceiver(cur, platform, at, agentId))
    if (!r) throw new EMERGENCY_ERR_HANDOFF_NOT_FOUND(handoffId)
    this.#o.logger?.info({ handoffId, appealId: r.record.appealId, platform, agentId }, 'first receiver recorded')
    await this.#changed(r.record)
    return r.record
  }

  /** Today's handoffs per configured partner (centre-local day, config.timezone), zeros included. */
  async handoffsToday(): Promise<Record<PartnerId, number>> {
    const counts = await this.store.dayCounts(this.#clock())
    return Object.fromEntries(this.#partners.map((p) => [p.id, counts[p.id] ?? 0])) as Record<PartnerId, number>
  }

  /** A record a partner handed to 12345, by the partner's case reference (an inbound partner call's match). */
  findPartnerRecord(partner: PartnerId, reference: string): Promise<PartnerRecord | undefined> {
    return this.partnerRecords.find(partner, reference)
  }

  // PushLedger: the push worker's answers.

  async delivered(handoffId: string, attempts: number, acknowledged: boolean): Promise<void> {
    const at = this.#clock().toISOString()
    const r = await this.store.update(handoffId, (cur) => markDelivered(cur, at, attempts, acknowledged))
    if (r?.changed) await this.#changed(r.record)
  }

  async pushFailed(handoffId: string, attempts: number, error: string, final: boolean): Promise<void> {
    const at = this.#clock().toISOString()
    const r = await this.store.update(handoffId, (cur) => (cur.delivery.state === 'delivered' ? cur : markPushFailed(cur, at, attempts, error, final)))
    if (r?.changed) await this.#changed(r.record)
  }

  #agentName(agentId: string): string | undefined {
    return this.#o.config.agents.find((a) => a.id === agentId)?.name
  }

  async #changed(record: HandoffRecord): Promise<void> {
    try {
      await this.#o.onChange?.(record)
    } catch (err) {
      // The record is stored; a console missing one update still reads it with emergency.records.
      this.#o.logger?.warn({ handoffId: record.id, err: { message: (err as Error).message } }, 'handoff change not published')
    }
  }
}
