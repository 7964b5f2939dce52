/**
 * Console messages of the emergency handoff (docs/console-protocol.md, 110/119/120/122): schemas of
 * the client -> server messages, merged into CLIENT_MESSAGES by messages.ts. Kept apart so the
 * protocol file does not grow with every feature; this file imports nothing from messages.ts
 * (messages.ts imports it), hence the literal version 1 (= PROTOCOL_VERSION, checked by a test).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { PARTNER_IDS } from '../../config/emergency-schema.ts'

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' })
const AppealId = Type.String({ pattern: '^ap_[A-Za-z0-9_-]{24}$' })
const Partner = Type.Union(PARTNER_IDS.map((p) => Type.Literal(p)))

function msg<T extends string, P extends Record<string, TSchema>>(type: T, props: P) {
  return Type.Object({ v: Type.Literal(1), type: Type.Literal(type), id: Type.Optional(Id), ...props }, { additionalProperties: false })
}

export const EMERGENCY_MESSAGES = {
  /** The partner the appeal looks like it belongs to; `summary`: what the agent typed so far (a call's text is a placeholder). */
  'emergency.suggest': msg('emergency.suggest', { appealId: AppealId, summary: Type.Optional(Type.String({ maxLength: 2000 })) }),
  /** A written appeal that turned out urgent: the record alone (no call) to the partner, pushed and tracked. */
  'emergency.escalate': msg('emergency.escalate', { appealId: AppealId, partner: Partner }),
  /** The appeal's handoffs (oldest first) and the partner record it came from, if any. */
  'emergency.records': msg('emergency.records', { appealId: AppealId }),
} as const

export type EmergencyMessageType = keyof typeof EMERGENCY_MESSAGES
export type EmergencyMessage<T extends EmergencyMessageType = EmergencyMessageType> = Static<(typeof EMERGENCY_MESSAGES)[T]>
