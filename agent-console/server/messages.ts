/**
 * The console protocol, version 1: every client -> server message as a TypeBox schema, compiled
 * once. docs/console-protocol.md documents each message with examples (keep them in step).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { CATEGORIES } from '../../gateway/domain/appeal.ts'
import { NOT_READY_REASONS } from '../../gateway/acd/types.ts'
import { EMERGENCY_MESSAGES } from './emergency-messages.ts'
import { EMERGENCY_CALL_MESSAGES } from './emergency-call-messages.ts'

export const PROTOCOL_VERSION = 1
/** Sec-WebSocket-Protocol the server answers with; the token travels as a second protocol `token.<jwt>`. */
export const SUBPROTOCOL = 'gw.v1'
export const TOKEN_PROTOCOL_PREFIX = 'token.'

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' })
const AppealId = Type.String({ pattern: '^ap_[A-Za-z0-9_-]{24}$' })
const MatterId = Type.String({ pattern: '^M[0-9]{1,18}$' })

function msg<T extends string, P extends Record<string, TSchema>>(type: T, props: P) {
  return Type.Object(
    {
      v: Type.Literal(PROTOCOL_VERSION),
      type: Type.Literal(type),
      /** Client correlation id; the server's ack/error carries it back as `re`. */
      id: Type.Optional(Id),
      ...props,
    },
    { additionalProperties: false },
  )
}

const NotReadyReason = Type.Union(
  NOT_READY_REASONS.filter((r) => r !== '未应答').map((r) => Type.Literal(r)),
)
const SettableState = Type.Union([Type.Literal('ready'), Type.Literal('not-ready'), Type.Literal('offline')])
const Target = Type.Union([
  Type.Object({ queue: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
  Type.Object({ agentId: Id }, { additionalProperties: false }),
])
const Location = Type.Object(
  {
    address: Type.Optional(Type.String({ maxLength: 500 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  },
  { additionalProperties: false },
)
const IntakeRecord = Type.Object(
  {
    category: Type.Optional(Type.Union(CATEGORIES.map((c) => Type.Literal(c)))),
    summary: Type.Optional(Type.String({ maxLength: 2000 })),
    location: Type.Optional(Location),
    confidential: Type.Optional(Type.Boolean()),
    disposition: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }),
  },
  { additionalProperties: false },
)
const CallTarget = Type.Union([
  Type.Object({ agentId: Id }, { additionalProperties: false }),
  Type.Object({ number: Type.String({ pattern: '^[0-9+*#]{3,20}$' }) }, { additionalProperties: false }),
])

export const CLIENT_MESSAGES = {
  auth: msg('auth', { token: Type.String({ minLength: 10, maxLength: 4096 }) }),
  'state.set': msg('state.set', { state: SettableState, reason: Type.Optional(NotReadyReason) }),
  'offer.accept': msg('offer.accept', { offerId: Id }),
  'offer.decline': msg('offer.decline', { offerId: Id }),
  'appeal.get': msg('appeal.get', { appealId: AppealId }),
  'appeal.complete': msg('appeal.complete', { appealId: AppealId, record: IntakeRecord }),
  'appeal.transfer': msg('appeal.transfer', { appealId: AppealId, target: Target }),
  'wrapup.end': msg('wrapup.end', {}),
  /** Supervisor only. */
  'agent.set-state': msg('agent.set-state', { agentId: Id, state: SettableState, reason: Type.Optional(NotReadyReason) }),
  /** Supervisor only: take back every appeal the agent holds (each waits again in its queue, original place). */
  'agent.reclaim': msg('agent.reclaim', { agentId: Id }),
  /** Supervisor only: listen in on an agent's call (listen), speak to the agent only (whisper), or join (barge). */
  'agent.listen': msg('agent.listen', {
    agentId: Id,
    mode: Type.Union([Type.Literal('listen'), Type.Literal('whisper'), Type.Literal('barge')]),
  }),
  /** Supervisor only: start receiving `wallboard` frames. */
  'wallboard.subscribe': msg('wallboard.subscribe', {}),
  // 并案 on the appeal card: only for an appeal offered to or held by the agent (ACD canRead).
  'matter.get': msg('matter.get', { appealId: AppealId }),
  'matter.confirm': msg('matter.confirm', { appealId: AppealId }),
  'matter.detach': msg('matter.detach', { appealId: AppealId }),
  'matter.suggest': msg('matter.suggest', { appealId: AppealId }),
  'matter.attach': msg('matter.attach', { appealId: AppealId, matterId: MatterId }),
  // Call control: carried today, answered CONSOLE_ERR_VOICE_NOT_CONNECTED until the voice path lands.
  'call.answer': msg('call.answer', {}),
  'call.hangup': msg('call.hangup', {}),
  'call.hold': msg('call.hold', { on: Type.Boolean() }),
  'call.mute': msg('call.mute', { on: Type.Boolean() }),
  'call.dtmf': msg('call.dtmf', { digits: Type.String({ pattern: '^[0-9*#A-D]{1,32}$' }) }),
  'call.transfer': msg('call.transfer', { target: CallTarget }),
  'call.conference': msg('call.conference', { target: CallTarget }),
  /** 回拨: call the citizen of an appeal the agent holds, or take a 漏接回拨 entry and call it. */
  'call.back': msg('call.back', { appealId: AppealId }),
  // 110/119/120/122: suggestion, record-only escalation, the appeal's handoffs; live-call handoffs.
  ...EMERGENCY_MESSAGES,
  ...EMERGENCY_CALL_MESSAGES,
} as const

export type ClientMessageType = keyof typeof CLIENT_MESSAGES
export type ClientMessage<T extends ClientMessageType = ClientMessageType> = Static<(typeof CLIENT_MESSAGES)[T]>

export const CHECKS = Object.fromEntries(
  Object.entries(CLIENT_MESSAGES).map(([k, s]) => [k, TypeCompiler.Compile(s)]),
) as { [K in ClientMessageType]: TypeCheck<(typeof CLIENT_MESSAGES)[K]> }

export function isClientMessageType(type: unknown): type is ClientMessageType {
  return typeof type === 'string' && Object.hasOwn(CLIENT_MESSAGES, type)
}
