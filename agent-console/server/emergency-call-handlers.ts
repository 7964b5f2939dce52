/**
 * The live-call side of the emergency handoff from the console: one-key transfer, three-party call,
 * private consult, dropping the dispatcher, and 首接负责 after an undecided three-party call. Each
 * carried out over the event socket (gateway/emergency/call-handoff.ts); logged with ids only.
 */
import type { CallHandoff } from '../../gateway/emergency/call-handoff.ts'
import type { EmergencyDesk } from '../../gateway/emergency/emergency-desk.ts'
import { withField } from '../../gateway/errors.ts'
import { CONSOLE_ERR_FORBIDDEN, CONSOLE_ERR_NOT_FOUND, CONSOLE_ERR_VOICE_NOT_CONNECTED } from './errors.ts'
import type { EmergencyCallMessage, EmergencyCallMessageType } from './emergency-call-messages.ts'
import type { HandlerContext } from './handlers.ts'
import type { ConsoleSession } from './session.ts'

export interface EmergencyCallContext {
  emergency?: EmergencyDesk
  emergencyCalls?: CallHandoff
}

type Handler<T extends EmergencyCallMessageType> = (
  session: ConsoleSession,
  msg: EmergencyCallMessage<T>,
  ctx: HandlerContext & EmergencyCallContext,
) => Promise<Record<string, unknown> | void>

function calls(ctx: EmergencyCallContext): CallHandoff {
  if (!ctx.emergencyCalls) throw new CONSOLE_ERR_VOICE_NOT_CONNECTED()
  return ctx.emergencyCalls
}

export const EMERGENCY_CALL_HANDLERS: { [K in EmergencyCallMessageType]: Handler<K> } = {
  'emergency.transfer': async (session, msg, ctx) => {
    const { record, outcome } = await calls(ctx).oneKey(session.agentId, msg.partner, { summary: msg.summary })
    session.log.info({ handoffId: record.id, partner: msg.partner, outcome }, 'one-key transfer to an emergency line')
    return { record, outcome }
  },
  'emergency.conference': async (session, msg, ctx) => {
    const { record, outcome } = await calls(ctx).threeParty(session.agentId, msg.partner, { summary: msg.summary })
    session.log.info({ handoffId: record.id, partner: msg.partner, outcome }, 'three-party call with an emergency line')
    return { record, outcome }
  },
  'emergency.consult': async (session, msg, ctx) => {
    await calls(ctx).consult(session.agentId, msg.on)
    session.log.info({ on: msg.on }, 'private consult with the dispatcher')
    return { consulting: msg.on }
  },
  'emergency.drop': async (session, _msg, ctx) => {
    await calls(ctx).dropPartner(session.agentId)
    session.log.info('dispatcher dropped from the three-party call')
  },
  'emergency.first-receiver': async (session, msg, ctx) => {
    if (!ctx.emergency) throw withField(new CONSOLE_ERR_NOT_FOUND('Emergency handoff'), '/handoffId')
    const record = await ctx.emergency.store.get(msg.handoffId)
    if (!record) throw withField(new CONSOLE_ERR_NOT_FOUND('Handoff'), '/handoffId')
    if (!(await ctx.acd.canRead(session.agentId, record.appealId))) throw withField(new CONSOLE_ERR_FORBIDDEN('this appeal is not yours'), '/handoffId')
    return { record: await ctx.emergency.recordFirstReceiver(msg.handoffId, msg.platform, session.agentId) }
  },
}
