/**
 * One handler per client message type. Each returns the ack payload (or nothing); a thrown coded
 * error becomes an `error` frame with the request's `re`. Authorization lives here: role checks,
 * "is this offer yours", and the ACD's canRead for every appeal an agent asks about.
 */
import type { Acd, AgentStatus } from '../../gateway/acd/types.ts'
import type { AppealQueue } from '../../gateway/domain/ports.ts'
import { withField } from '../../gateway/errors.ts'
import {
  CONSOLE_ERR_FORBIDDEN,
  CONSOLE_ERR_INVALID_MESSAGE,
  CONSOLE_ERR_NOT_FOUND,
  CONSOLE_ERR_ON_THE_PHONE,
  CONSOLE_ERR_VOICE_NOT_CONNECTED,
} from './errors.ts'
import type { CallControl } from '../../gateway/telephony/call-control.ts'
import type { AgentCallBack } from '../../gateway/telephony/agent-call-back.ts'
import type { MatterCards } from './matter-card.ts'
import { MATTER_HANDLERS } from './matter-handlers.ts'
import { EMERGENCY_HANDLERS } from './emergency-handlers.ts'
import { EMERGENCY_CALL_HANDLERS } from './emergency-call-handlers.ts'
import type { EmergencyDesk } from '../../gateway/emergency/emergency-desk.ts'
import type { CallHandoff } from '../../gateway/emergency/call-handoff.ts'
import type { ClientMessage, ClientMessageType } from './messages.ts'
import type { ConsoleSession } from './session.ts'
import type { ConsoleSettings } from './snapshot.ts'

export interface HandlerContext {
  acd: Acd
  queue: AppealQueue
  settings: ConsoleSettings
  /** 并案 on the appeal card; absent when the gateway runs without the matter linker. */
  matters?: MatterCards
  /** Registers the session for wallboard frames and sends it the first snapshot. */
  watchWallboard: (session: ConsoleSession) => Promise<void>
  /** 并案: these appeals' cards changed (a decision on another appeal of their matter). */
  matterChanged: (appealIds: string[]) => Promise<void>
  /** Verifies a renewed token of the same agent and moves the session's expiry; returns it. */
  renew: (session: ConsoleSession, token: string) => Promise<Date>
  /** Call control over the event socket; absent while the voice path is off. */
  voice?: CallControl
  /** 回拨 from the console; absent while the voice path is off. */
  callBack?: AgentCallBack
  /** 110/119/120/122 handoff records (gateway/emergency). */
  emergency?: EmergencyDesk
  /** Live calls handed to 110/119/120/122; absent while the voice path is off. */
  emergencyCalls?: CallHandoff
}

type Handler<T extends ClientMessageType> = (
  session: ConsoleSession,
  msg: ClientMessage<T>,
  ctx: HandlerContext,
) => Promise<Record<string, unknown> | void>

function requireSupervisor(session: ConsoleSession, what: string): void {
  if (session.identity.role !== 'supervisor') throw new CONSOLE_ERR_FORBIDDEN(`${what} is for supervisors`)
}

function checkReason(state: string, reason: string | undefined): void {
  if (state === 'not-ready' && !reason) {
    throw withField(new CONSOLE_ERR_INVALID_MESSAGE('not-ready needs a reason'), '/reason')
  }
}

function callControl(ctx: HandlerContext): CallControl {
  if (!ctx.voice) throw new CONSOLE_ERR_VOICE_NOT_CONNECTED()
  return ctx.voice
}

/** Answer, mute and the keypad act on the agent's own phone (SIP from the softphone or the desk phone). */
const onThePhone = async (_s: ConsoleSession, _m: unknown, ctx: HandlerContext): Promise<never> => {
  callControl(ctx)
  throw new CONSOLE_ERR_ON_THE_PHONE()
}

export const HANDLERS: { [K in ClientMessageType]: Handler<K> } = {
  /** On an open socket: a renewed token (same agent) extends the session past the old token's expiry. */
  auth: async (session, msg, { renew }) => {
    const expiresAt = await renew(session, msg.token)
    return { tokenExpiresAt: expiresAt.toISOString() }
  },

  'state.set': async (session, msg, { acd }) => {
    checkReason(msg.state, msg.reason)
    const status: AgentStatus = await acd.setState(session.agentId, msg.state, msg.reason, session.agentId)
    return { status }
  },

  'offer.accept': async (session, msg, { acd, matters }) => {
    // The ACD enforces this atomically too; answering "not found" here means a foreign offer id
    // tells the caller nothing about whose it is.
    const status = await acd.status(session.agentId)
    if (status.offer?.offerId !== msg.offerId) throw withField(new CONSOLE_ERR_NOT_FOUND('Offer'), '/offerId')
    const appeal = await acd.accept(session.agentId, msg.offerId)
    return { appeal, matter: (await matters?.card(appeal.id)) ?? null }
  },

  'offer.decline': async (session, msg, { acd }) => {
    const status = await acd.status(session.agentId)
    if (status.offer?.offerId !== msg.offerId) throw withField(new CONSOLE_ERR_NOT_FOUND('Offer'), '/offerId')
    await acd.decline(session.agentId, msg.offerId)
  },

  'appeal.get': async (session, msg, { acd, queue, matters }) => {
    if (!(await acd.canRead(session.agentId, msg.appealId))) {
      throw withField(new CONSOLE_ERR_FORBIDDEN('this appeal was not offered to you'), '/appealId')
    }
    const appeal = await queue.get(msg.appealId)
    if (!appeal) throw withField(new CONSOLE_ERR_NOT_FOUND('Appeal'), '/appealId')
    return { appeal, matter: (await matters?.card(appeal.id)) ?? null }
  },

  'appeal.complete': async (session, msg, { acd, settings }) => {
    if (!settings.dispositions.some((d) => d.code === msg.record.disposition)) {
      throw withField(new CONSOLE_ERR_INVALID_MESSAGE('unknown disposition code'), '/record/disposition')
    }
    if (!(await acd.canRead(session.agentId, msg.appealId))) {
      throw withField(new CONSOLE_ERR_FORBIDDEN('this appeal is not yours'), '/appealId')
    }
    const appeal = await acd.complete(session.agentId, msg.appealId, msg.record)
    return { appeal }
  },

  'appeal.transfer': async (session, msg, { acd }) => {
    if (!(await acd.canRead(session.agentId, msg.appealId))) {
      throw withField(new CONSOLE_ERR_FORBIDDEN('this appeal is not yours'), '/appealId')
    }
    await acd.transfer(session.agentId, msg.appealId, msg.target)
  },

  'wrapup.end': async (session, _msg, { acd }) => {
    const status = await acd.endWrapUp(session.agentId)
    return { status }
  },

  'agent.set-state': async (session, msg, { acd }) => {
    requireSupervisor(session, 'setting another agent\'s state')
    checkReason(msg.state, msg.reason)
    const status = await acd.setState(msg.agentId, msg.state, msg.reason, session.agentId)
    return { status }
  },

  'agent.reclaim': async (session, msg, { acd }) => {
    requireSupervisor(session, 'taking back an agent\'s appeals')
    return { reclaimed: await acd.reclaim(msg.agentId, session.agentId) }
  },

  'agent.listen': async (session, msg, ctx) => {
    requireSupervisor(session, "listening in on an agent's call")
    const supervisorLeg = await callControl(ctx).listenIn(session.agentId, msg.agentId, msg.mode)
    session.log.info({ agentId: msg.agentId, mode: msg.mode, supervisorLeg }, 'supervisor listens in')
    return { supervisorLeg, mode: msg.mode }
  },

  'wallboard.subscribe': async (session, _msg, { watchWallboard }) => {
    requireSupervisor(session, 'the wallboard')
    await watchWallboard(session)
  },

  ...MATTER_HANDLERS,
  ...EMERGENCY_HANDLERS,
  ...EMERGENCY_CALL_HANDLERS,

  'call.answer': onThePhone,
  'call.mute': onThePhone,
  'call.dtmf': onThePhone,
  'call.hangup': async (session, _msg, ctx) => {
    await callControl(ctx).hangup(session.agentId)
  },
  'call.hold': async (session, msg, ctx) => {
    await callControl(ctx).hold(session.agentId, msg.on)
    return { held: msg.on }
  },
  'call.transfer': async (session, msg, ctx) => {
    await callControl(ctx).transfer(session.agentId, msg.target)
  },
  'call.conference': async (session, msg, ctx) => {
    const party = await callControl(ctx).conference(session.agentId, msg.target)
    return { party }
  },
  'call.back': async (session, msg, ctx) => {
    if (!ctx.callBack) throw new CONSOLE_ERR_VOICE_NOT_CONNECTED()
    const outcome = await ctx.callBack.call(session.agentId, msg.appealId)
    session.log.info({ appealId: msg.appealId, outcome }, 'agent called the citizen back')
    return { outcome }
  },
}
