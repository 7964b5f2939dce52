/**
 * Drives every call this process owns, from the parked channel to the agent:
 *   call-arrived -> claim -> hotline + caller number -> IVR flow -> the appeal in the one queue ->
 *   waiting (music, position, call-back offer) -> ACD offer -> the agent's phone rings (originate)
 *   -> answered: offer accepted, caller bridged, recording -> hang-up.
 * A caller who hangs up while waiting is abandoned in the ACD and becomes a 漏接回拨 entry; an agent
 * whose phone does not take the call is 未应答 and the call waits at its place; a media server that
 * goes down ends its waiting calls in the ACD; after a reconnect the server's channels are
 * reconciled (ended calls are ended here, parked calls nobody drives are taken up).
 */
import { randomUUID } from 'node:crypto'
import { join, resolve } from 'node:path'
import type { Logger } from 'pino'
import type { Config } from '../../config/schema.ts'
import { normalizeCallerNumber } from '../../channels/voice/caller-number.ts'
import { hotlineProfile } from '../../channels/voice/hotline-profile.ts'
import { voiceSubmission } from '../../channels/voice/voice-appeal.ts'
import { partnerCallSubmission, partnerTransfer, type PartnerCase, type PartnerTransfer } from '../../channels/voice/partner-call.ts'
import type { Submission } from '../domain/ports.ts'
import type { FlowOutcome, HotlineProfile } from '../../ivr/types.ts'
import type { Acd, AcdEvent, Offer } from '../acd/types.ts'
import type { InboundCall, LiveChannel, MediaControl, MediaEvent } from '../domain/media.ts'
import type { AppealQueue } from '../domain/ports.ts'
import type { AppealStore } from '../queue/appeal-store.ts'
import type { CallClaims } from './call-claims.ts'
import type { AgentCalls } from './agent-calls.ts'
import type { MissedCalls } from './missed-calls.ts'
import { WaitingCall } from './waiting-call.ts'
import { CallBack } from './call-back.ts'
import type { DialBack } from './dial-back.ts'
import { maskPhone } from '../domain/phone.ts'

export type IvrRunner = (flowId: string, ctx: { call: InboundCall; hotline: HotlineProfile; signal: AbortSignal; log: Logger }) => Promise<FlowOutcome>

export interface CallRouterOptions {
  config: Readonly<Config>
  media: MediaControl
  acd: Acd
  queue: AppealQueue
  store: AppealStore
  claims: CallClaims
  missed: MissedCalls
  agentCalls: AgentCalls
  dialBack: DialBack
  /** What a partner (110/119/120/122) pushed about a case it transfers with a call (emergency desk). */
  partnerCase?: (t: PartnerTransfer) => Promise<PartnerCase>
  runIvr: IvrRunner
  prompt: (id: string) => string
  logger: Logger
  clock?: () => Date
}

type Phase = 'ivr' | 'waiting' | 'overflow' | 'ringing-agent' | 'connected' | 'callback-kept' | 'ended'

interface ActiveCall {
  call: InboundCall
  hotline: HotlineProfile
  phone?: string
  log: Logger
  phase: Phase
  abort: AbortController
  appealId?: string
  waiting?: WaitingCall
  queuedAt?: number
  agentLeg?: { agentId: string; offerId: string; legId: string }
}

export class CallRouter {
  readonly #o: CallRouterOptions
  readonly #calls = new Map<string, ActiveCall>()
  readonly #byAppeal = new Map<string, string>()
  readonly #unsubscribe: (() => void)[] = []
  readonly #now: () => Date
  readonly #callBack: CallBack

  constructor(opts: CallRouterOptions) {
    this.#o = opts
    this.#now = opts.clock ?? (() => new Date())
    this.#callBack = new CallBack({ ...opts, clock: this.#now })
  }

  start(): void {
    this.#unsubscribe.push(this.#o.media.subscribe((e) => void this.#onMedia(e)))
    this.#unsubscribe.push(this.#o.acd.subscribe((e) => void this.#onAcd(e)))
  }

  /** Calls this process drives now (tests, metrics). */
  activeCalls(): { callId: string; phase: Phase; appealId?: string }[] {
    return [...this.#calls.values()].map((a) => ({ callId: a.call.callId, phase: a.phase, appealId: a.appealId }))
  }

  async close(): Promise<void> {
    for (const u of this.#unsubscribe) u()
    for (const a of this.#calls.values()) {
      a.abort.abort()
      await a.waiting?.stop(false)
    }
  }

  async #onMedia(e: MediaEvent): Promise<void> {
    try {
      switch (e.type) {
        case 'call-arrived':
          return await this.#arrived(e.call)
        case 'dtmf':
          return this.#calls.get(e.callId)?.waiting?.onDigit(e.digit)
        case 'hangup':
          return await this.#hangup(e.callId, e.cause)
        case 'server-down':
          return await this.#serverDown(e.serverId)
        case 'server-up':
          return await this.#reconcile(e.serverId, e.live)
      }
    } catch (err) {
      this.#o.logger.error({ err: { message: (err as Error).message, code: (err as { code?: string }).code }, event: e.type }, 'call handling failed')
    }
  }

  async #arrived(call: InboundCall): Promise<void> {
    if (this.#calls.has(call.callId) || !(await this.#o.claims.claim(call.callId))) return
    const { voice, hotlines } = this.#o.config
    const { profile, known } = hotlineProfile(call.dialed, hotlines)
    const phone = normalizeCallerNumber(call.callerNumber, voice.areaCode)
    const log = this.#o.logger.child({ callId: call.callId, hotline: profile.number, mediaServer: call.serverId })
    const active: ActiveCall = { call, hotline: profile, phone, log, phase: 'ivr', abort: new AbortController() }
    this.#calls.set(call.callId, active)
    log.info({ caller: phone ? maskPhone(phone) : 'withheld', knownHotline: known }, 'call arrived')
    await this.#o.media.take(call.serverId, call.callId)
    // Phrases (position, wait) are looked up in the channel's language (FreeSWITCH's default: en).
    await this.#o.media.setVar(call.serverId, call.callId, 'language', 'zh').catch((err: Error) => log.warn({ err: { message: err.message } }, 'language not set'))
    const transfer = partnerTransfer(call)
    if (transfer) return this.#partnerCall(active, transfer)
    const flow = voice.flowByHotline[profile.number] ?? voice.defaultFlow
    const outcome = await this.#o.runIvr(flow, { call, hotline: profile, signal: active.abort.signal, log })
    await this.#afterIvr(active, outcome)
  }

  async #afterIvr(a: ActiveCall, outcome: FlowOutcome): Promise<void> {
    if (outcome.kind === 'message') {
      // Hanging up is the usual way to end a message: it is kept whether the caller is still there or not.
      const r = await this.#o.queue.submit(voiceSubmission(a.call, a.hotline, a.phone, { recordingPath: outcome.recordingPath }))
      a.log.info({ appealId: r.appeal.id }, 'recorded message became an appeal')
      if (a.phase !== 'ended') {
        await this.#o.media.play(a.call.serverId, a.call.callId, this.#o.prompt('message_saved')).catch(() => undefined)
        await this.#o.media.hangup(a.call.serverId, a.call.callId)
      }
      return this.#forget(a)
    }
    if (a.phase === 'ended') return
    switch (outcome.kind) {
      case 'enqueue':
        return this.#enqueue(a)
      case 'caller-gone':
      case 'hangup':
      case 'transferred':
        return this.#forget(a)
    }
  }

  /**
   * A call 110/119/120/122 transfers in: no greeting (the caller already told the dispatcher), the
   * appeal carries the partner's case (pushed record or headers) and waits ahead of every other.
   */
  async #partnerCall(a: ActiveCall, t: PartnerTransfer): Promise<void> {
    a.log = a.log.child({ partner: t.partner })
    a.log.info({ caseRef: t.caseRef }, 'call transferred in by an emergency partner')
    await this.#o.media.answer(a.call.serverId, a.call.callId)
    const found = await this.#o.partnerCase?.(t).catch((err: Error) => {
      a.log.warn({ err: { message: err.message } }, "the partner's record could not be read")
      return undefined
    })
    const c: PartnerCase = found ?? { partnerName: t.partner }
    const phone = a.phone ?? normalizeCallerNumber(c.callerNumber, this.#o.config.voice.areaCode)
    if (a.phase === 'ended') return
    a.phone = phone
    return this.#enqueue(a, partnerCallSubmission(a.call, a.hotline, phone, t, c))
  }

  async #enqueue(a: ActiveCall, submission?: Submission): Promise<void> {
    a.phase = 'waiting'
    a.queuedAt = this.#now().getTime()
    let appeal
    try {
      ;({ appeal } = await this.#o.queue.submit(submission ?? voiceSubmission(a.call, a.hotline, a.phone)))
    } catch (err) {
      // The store is down: nobody could take the call. Say so rather than leave the caller in silence.
      a.log.error({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'call could not be queued')
      await this.#o.media.play(a.call.serverId, a.call.callId, this.#o.prompt('system_busy')).catch(() => undefined)
      await this.#o.media.hangup(a.call.serverId, a.call.callId).catch(() => undefined)
      return this.#forget(a)
    }
    a.appealId = appeal.id
    a.log = a.log.child({ appealId: appeal.id })
    this.#byAppeal.set(appeal.id, a.call.callId)
    a.log.info({ appealNumber: appeal.appealNumber }, 'call queued')
    if (a.phase !== 'waiting') return // an agent took it while the queue was still answering
    await this.#startWaiting(a)
    // The offer may have come while the queue answered: it is already ringing the agent then.
  }

  async #startWaiting(a: ActiveCall): Promise<void> {
    const appeal = { id: a.appealId! }
    a.waiting = new WaitingCall({
      media: this.#o.media,
      serverId: a.call.serverId,
      callId: a.call.callId,
      appealId: appeal.id,
      waiting: this.#o.config.voice.waiting,
      canCallBack: Boolean(a.phone),
      position: (id) => this.#o.acd.position(id),
      prompt: this.#o.prompt,
      log: a.log,
      onCallbackChosen: () => void this.#keepForCallback(a),
      onMaxWait: () => void this.#overflow(a).catch((err: Error) => a.log.error({ err: { message: err.message } }, 'overflow failed')),
    })
    await a.waiting.start()
  }

  /**
   * The longest wait (voice.waiting.maxWaitSeconds) is over: the caller goes to voice.waiting.maxWaitFlow
   * (the shipped `overflow` flow: leave a message). From then on the appeal is written work at its
   * place in the queue (its entry is offered as written, the message on the card); a caller who
   * leaves no message is abandoned (漏接回拨); a flow that transfers the call out ends the entry.
   * Not while an agent's phone rings for it: that agent is about to answer.
   */
  async #overflow(a: ActiveCall): Promise<void> {
    if (a.phase !== 'waiting' || !a.appealId) return
    if (!(await this.#o.acd.setEntryKind(a.appealId, 'written'))) return
    a.phase = 'overflow'
    await a.waiting?.stop(true)
    const flow = this.#o.config.voice.waiting.maxWaitFlow
    a.log.info({ flow, waitMs: this.#now().getTime() - (a.queuedAt ?? 0) }, 'maximum wait reached: overflow flow')
    const outcome = await this.#o.runIvr(flow, { call: a.call, hotline: a.hotline, signal: a.abort.signal, log: a.log })
    const callerThere = !a.abort.signal.aborted
    switch (outcome.kind) {
      case 'message':
        await this.#o.store.updateCall(a.appealId, { callId: a.call.callId, serverId: a.call.serverId, mode: 'message', recording: outcome.recordingPath })
        a.log.info('overflow: the message waits at its place as written work')
        if (callerThere) {
          await this.#o.media.play(a.call.serverId, a.call.callId, this.#o.prompt('message_saved')).catch(() => undefined)
          await this.#o.media.hangup(a.call.serverId, a.call.callId).catch(() => undefined)
        }
        return this.#forget(a)
      case 'enqueue':
        // The flow sent the caller back to waiting (a notice, then the queue again).
        if (!callerThere) break
        await this.#o.acd.setEntryKind(a.appealId, 'call')
        a.phase = 'waiting'
        return this.#startWaiting(a)
      case 'transferred':
        await this.#o.acd.abandon(a.appealId)
        a.log.info('overflow: the call was transferred out; it leaves the queue')
        return this.#forget(a)
      default:
        break
    }
    // The caller left without a message (or the flow hung up): as any caller who gave up waiting.
    this.#forget(a)
    await this.#o.acd.setEntryKind(a.appealId, 'call')
    await this.#abandoned(a, 'OVERFLOW_NO_MESSAGE')
  }

  async #onAcd(e: AcdEvent): Promise<void> {
    try {
      if (e.type === 'offer' && e.offer.kind === 'call') await this.#offered(e.offer)
      if (e.type === 'appeal-released') await this.#released(e.agentId, e.appealId)
    } catch (err) {
      this.#o.logger.error({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'call offer handling failed')
    }
  }

  async #offered(offer: Offer): Promise<void> {
    let callId = this.#byAppeal.get(offer.appealId)
    if (!callId) {
      // The offer can overtake the queue's answer to this process: find the call by the appeal.
      const appeal = await this.#o.queue.get(offer.appealId)
      if (appeal?.call?.mode === 'callback') return this.#callBack.run(offer, appeal)
      callId = appeal?.call?.callId
      if (!callId || !this.#calls.has(callId)) return
      this.#byAppeal.set(offer.appealId, callId)
      this.#calls.get(callId)!.appealId = offer.appealId
    }
    const a = this.#calls.get(callId)
    if (!a || (a.phase !== 'waiting' && a.phase !== 'ivr')) return
    a.phase = 'ringing-agent'
    const legId = randomUUID()
    a.agentLeg = { agentId: offer.agentId, offerId: offer.offerId, legId }
    const agentCfg = this.#o.config.agents.find((x) => x.id === offer.agentId)
    const target = agentCfg?.phone?.endpoint ?? this.#o.config.voice.agentDialString.replace('${agentId}', offer.agentId)
    a.log.info({ agentId: offer.agentId }, 'ringing the agent')
    try {
      await this.#o.media.originate({
        serverId: a.call.serverId,
        target,
        callId: legId,
        callerIdNumber: a.phone?.replace('-', '') ?? this.#o.config.voice.centreNumber,
        callerIdName: a.hotline.number,
        timeoutSeconds: Math.max(1, Math.floor(this.#o.config.acd.offerTimeoutSeconds)),
        vars: { gw_leg: 'agent', gw_appeal: offer.appealId, ...(agentCfg?.phone?.autoAnswer ? { sip_auto_answer: 'true' } : {}) },
      })
    } catch (err) {
      const cause = (err as { cause?: string }).cause
      a.log.info({ agentId: offer.agentId, cause }, 'the agent did not take the call')
      a.agentLeg = undefined
      if (a.phase === 'ringing-agent') a.phase = 'waiting'
      await this.#o.acd.missed(offer.agentId, offer.offerId)
      return
    }
    await this.#agentAnswered(a, offer, legId)
  }

  async #agentAnswered(a: ActiveCall, offer: Offer, legId: string): Promise<void> {
    const { media, acd } = this.#o
    if (a.phase !== 'ringing-agent') {
      // The caller hung up while the agent's phone rang.
      await media.hangup(a.call.serverId, legId)
      return
    }
    try {
      await acd.accept(offer.agentId, offer.offerId)
    } catch (err) {
      // Accepted from the console meanwhile is fine; anything else (expired, revoked): not theirs.
      if ((await acd.holderOf(offer.appealId)) !== offer.agentId) {
        a.log.info({ agentId: offer.agentId, code: (err as { code?: string }).code }, 'offer gone before the agent answered')
        await media.hangup(a.call.serverId, legId)
        if (a.phase === 'ringing-agent') a.phase = 'waiting'
        return
      }
    }
    await a.waiting?.stop(true)
    await media.bridge(a.call.serverId, a.call.callId, legId)
    a.phase = 'connected'
    await this.#o.agentCalls.set({ agentId: offer.agentId, appealId: offer.appealId, serverId: a.call.serverId, callId: a.call.callId, legId })
    a.log.info({ agentId: offer.agentId, waitMs: this.#now().getTime() - (a.queuedAt ?? 0) }, 'caller connected to the agent')
    if (this.#o.config.voice.recordCalls && a.appealId) await this.#record(a)
  }

  /**
   * The agent let go of a live call (transferred to another agent or queue, or a supervisor took it
   * back): the caller leaves the agent's leg and waits again, with music, at the original place.
   */
  async #released(agentId: string, appealId: string): Promise<void> {
    const callId = this.#byAppeal.get(appealId)
    const a = callId ? this.#calls.get(callId) : undefined
    if (!a || a.phase !== 'connected' || a.agentLeg?.agentId !== agentId) return
    a.phase = 'waiting'
    a.agentLeg = undefined
    await this.#o.agentCalls.clear(agentId, a.call.callId)
    // uuid_transfer of one leg of a bridge hangs up the other (the agent's) leg (fixtures round 2).
    await this.#o.media.park(a.call.serverId, a.call.callId)
    a.log.info({ agentId }, 'call released by the agent; waiting again')
    await this.#startWaiting(a)
  }

  async #record(a: ActiveCall): Promise<void> {
    const path = resolve(join(this.#o.config.voice.recordingsDir, `${a.appealId}.wav`))
    try {
      await this.#o.media.startRecording(a.call.serverId, a.call.callId, path)
      await this.#o.store.updateCall(a.appealId!, { callId: a.call.callId, serverId: a.call.serverId, mode: 'live', recording: path })
    } catch (err) {
      a.log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'recording did not start')
    }
  }

  async #keepForCallback(a: ActiveCall): Promise<void> {
    if (a.phase !== 'waiting' || !a.appealId) return
    a.phase = 'callback-kept'
    await a.waiting?.stop(true)
    await this.#o.store.updateCall(a.appealId, { callId: a.call.callId, serverId: a.call.serverId, mode: 'callback' })
    a.log.info('caller keeps the place for a call-back')
    await this.#o.media.play(a.call.serverId, a.call.callId, this.#o.prompt('callback_registered')).catch(() => undefined)
    await this.#o.media.hangup(a.call.serverId, a.call.callId)
  }

  async #hangup(callId: string, cause: string): Promise<void> {
    const a = this.#calls.get(callId)
    if (!a) {
      // An agent leg of ours that ended while ringing needs nothing: the originate reports it.
      return
    }
    const was = a.phase
    a.abort.abort()
    // The overflow flow ends with the call (a message is kept when the caller hangs up): it decides.
    if (was === 'overflow') return
    if (was === 'callback-kept' || was === 'connected') {
      a.log.info({ cause, phase: was }, 'call ended')
      if (a.agentLeg) await this.#o.agentCalls.clear(a.agentLeg.agentId, a.call.callId)
      return this.#forget(a)
    }
    // Over for the router at once; the ACD and the 漏接回拨 list follow.
    this.#forget(a)
    await a.waiting?.stop(false)
    if (a.agentLeg) await this.#o.media.hangup(a.call.serverId, a.agentLeg.legId).catch(() => undefined)
    if (a.appealId) await this.#abandoned(a, cause)
    else a.log.info({ cause }, 'caller hung up during the greeting')
  }

  async #abandoned(a: ActiveCall, cause: string): Promise<void> {
    const waitSeconds = Math.round((this.#now().getTime() - (a.queuedAt ?? this.#now().getTime())) / 1000)
    const wasWaiting = await this.#o.acd.abandon(a.appealId!)
    if (!wasWaiting) return
    await this.#o.missed.add({ appealId: a.appealId!, phone: a.phone, hotline: a.hotline.number, waitSeconds, at: this.#now().toISOString() })
    a.log.info({ cause, waitSeconds }, 'caller abandoned while waiting (漏接回拨)')
  }

  async #serverDown(serverId: string): Promise<void> {
    for (const a of [...this.#calls.values()]) {
      if (a.call.serverId === serverId) await this.#hangup(a.call.callId, 'MEDIA_SERVER_DOWN')
    }
  }

  async #reconcile(serverId: string, live: LiveChannel[]): Promise<void> {
    const liveIds = new Set(live.map((c) => c.callId))
    for (const a of [...this.#calls.values()]) {
      if (a.call.serverId !== serverId) continue
      if (!liveIds.has(a.call.callId)) await this.#hangup(a.call.callId, 'GONE_WHILE_DISCONNECTED')
      // Music (or its start) may have been lost with the socket: nobody waits in silence.
      else if (a.phase === 'waiting') await a.waiting?.restartMusic().catch((err: Error) => a.log.warn({ err: { message: err.message } }, 'hold music not restarted'))
    }
    for (const c of live) {
      if (c.direction !== 'inbound' || c.application !== 'park' || this.#calls.has(c.callId)) continue
      await this.#arrived({ callId: c.callId, serverId, dialed: c.dialed, callerNumber: c.callerNumber, headers: {}, startedAt: this.#now() })
    }
  }

  #forget(a: ActiveCall): void {
    a.phase = 'ended'
    this.#calls.delete(a.call.callId)
    if (a.appealId) this.#byAppeal.delete(a.appealId)
    void this.#o.claims.release(a.call.callId).catch(() => undefined)
  }
}
