/**
 * Console messages that hand a live call to 110/119/120/122 (docs/console-protocol.md): one-key
 * transfer, three-party call, private consult, dropping the dispatcher, 首接负责. Merged into
 * CLIENT_MESSAGES by messages.ts (literal version 1 = PROTOCOL_VERSION, as emergency-messages.ts).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { PARTNER_IDS } from '../../config/emergency-schema.ts'

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' })
const Partner = Type.Union(PARTNER_IDS.map((p) => Type.Literal(p)))
const Summary = Type.Optional(Type.String({ maxLength: 2000 }))

function msg<T extends string, P extends Record<string, TSchema>>(type: T, props: P) {
  return Type.Object({ v: Type.Literal(1), type: Type.Literal(type), id: Type.Optional(Id), ...props }, { additionalProperties: false })
}

export const EMERGENCY_CALL_MESSAGES = {
  /** One-key transfer of the agent's live call to the partner, with the record (pushed and tracked). */
  'emergency.transfer': msg('emergency.transfer', { partner: Partner, summary: Summary }),
  /** Three-party call: caller, agent and the partner's dispatcher in one conference. */
  'emergency.conference': msg('emergency.conference', { partner: Partner, summary: Summary }),
  /** Talk to the dispatcher privately (the caller hears music) or bring the caller back. */
  'emergency.consult': msg('emergency.consult', { on: Type.Boolean() }),
  /** The dispatcher leaves the three-party call; caller and agent stay. */
  'emergency.drop': msg('emergency.drop', {}),
  /** 首接负责: the three-party call ended undecided; the platform that received the appeal first handles it. */
  'emergency.first-receiver': msg('emergency.first-receiver', {
    handoffId: Type.String({ pattern: '^ho_[A-Za-z0-9_-]{16}$' }),
    platform: Type.Union([Type.Literal('12345'), ...PARTNER_IDS.map((p) => Type.Literal(p))]),
  }),
} as const

export type EmergencyCallMessageType = keyof typeof EMERGENCY_CALL_MESSAGES
export type EmergencyCallMessage<T extends EmergencyCallMessageType = EmergencyCallMessageType> = Static<(typeof EMERGENCY_CALL_MESSAGES)[T]>
