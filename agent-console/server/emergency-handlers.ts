/**
 * The emergency handoff from the appeal card: the suggested partner, escalation of a written appeal
 * (the record alone, pushed and tracked), the appeal's handoffs. Only for an appeal the ACD lets the
 * agent read (offered to or held by them). Logged with ids only. The desk's EMERGENCY_ERR_* codes
 * become the console's (the client branches on CONSOLE_ERR_* and ACD_ERR_*).
 * Wired into handlers.ts with `...EMERGENCY_HANDLERS` once HandlerContext carries `emergency`.
 */
import type { EmergencyDesk } from '../../gateway/emergency/emergency-desk.ts'
import type { HandoffRecord } from '../../gateway/emergency/handoff-record.ts'
import type { PartnerRecord } from '../../gateway/emergency/partner-record.ts'
import { isPartnerId } from '../../gateway/emergency/partners.ts'
import { withField } from '../../gateway/errors.ts'
import type { Appeal } from '../../gateway/domain/appeal.ts'
import { CONSOLE_ERR_FORBIDDEN, CONSOLE_ERR_INVALID_MESSAGE, CONSOLE_ERR_NOT_FOUND } from './errors.ts'
import type { EmergencyMessage, EmergencyMessageType } from './emergency-messages.ts'
import type { HandlerContext } from './handlers.ts'
import type { ConsoleSession } from './session.ts'

/** What the handlers need besides the console's own context: the desk (gateway/emergency). */
export interface EmergencyContext {
  emergency?: EmergencyDesk
}

type Handler<T extends EmergencyMessageType> = (
  session: ConsoleSession,
  msg: EmergencyMessage<T>,
  ctx: HandlerContext & EmergencyContext,
) => Promise<Record<string, unknown>>

async function readable(session: ConsoleSession, appealId: string, ctx: HandlerContext & EmergencyContext): Promise<{ desk: EmergencyDesk; appeal: Appeal }> {
  if (!(await ctx.acd.canRead(session.agentId, appealId))) {
    throw withField(new CONSOLE_ERR_FORBIDDEN('this appeal was not offered to you'), '/appealId')
  }
  if (!ctx.emergency) throw withField(new CONSOLE_ERR_NOT_FOUND('Emergency handoff'), '/appealId')
  const appeal = await ctx.queue.get(appealId)
  if (!appeal) throw withField(new CONSOLE_ERR_NOT_FOUND('Appeal'), '/appealId')
  return { desk: ctx.emergency, appeal }
}

async function deskCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'EMERGENCY_ERR_UNKNOWN_PARTNER') throw withField(new CONSOLE_ERR_INVALID_MESSAGE('no such emergency partner is configured'), '/partner')
    if (code === 'EMERGENCY_ERR_APPEAL_NOT_FOUND') throw withField(new CONSOLE_ERR_NOT_FOUND('Appeal'), '/appealId')
    throw err
  }
}

/** The record a partner handed to 12345, for an appeal that came in that way (channel `emergency`). */
async function partnerRecordOf(desk: EmergencyDesk, appeal: Appeal): Promise<PartnerRecord | null> {
  if (appeal.channel !== 'emergency') return null
  const [partner, ...rest] = appeal.external.id.split(':')
  return isPartnerId(partner) ? ((await desk.findPartnerRecord(partner, rest.join(':'))) ?? null) : null
}

export const EMERGENCY_HANDLERS: { [K in EmergencyMessageType]: Handler<K> } = {
  'emergency.suggest': async (session, msg, ctx) => {
    const { desk, appeal } = await readable(session, msg.appealId, ctx)
    const suggestion = desk.suggest({ ...appeal, ...(msg.summary ? { summary: msg.summary } : {}) })
    return { suggestion: suggestion ?? null }
  },

  'emergency.escalate': async (session, msg, ctx) => {
    const { desk } = await readable(session, msg.appealId, ctx)
    const record: HandoffRecord = await deskCall(() => desk.escalate(msg.appealId, msg.partner, session.agentId))
    session.log.info({ appealId: msg.appealId, handoffId: record.id, partner: record.partner }, 'appeal escalated to an emergency partner')
    return { record }
  },

  'emergency.records': async (session, msg, ctx) => {
    const { desk, appeal } = await readable(session, msg.appealId, ctx)
    return { records: await desk.records(msg.appealId), partnerRecord: await partnerRecordOf(desk, appeal) }
  },
}
