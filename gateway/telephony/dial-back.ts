/**
 * Calling a citizen back for an agent: the agent's phone rings first (the agent hears a ring tone
 * once it answers), then the citizen is called through the carrier, hears a short greeting and is
 * bridged to the agent; the call is recorded like an inbound one and the agent's call controls
 * (hold, transfer, three-party) work on it. Used by the kept place (按1键) when it comes up, by its
 * automatic retries, and by an agent's 回拨 from the console (an appeal they hold, a 漏接回拨 entry).
 */
import { randomUUID } from 'node:crypto'
import { join, resolve } from 'node:path'
import type { Logger } from 'pino'
import type { Config } from '../../config/schema.ts'
import type { Appeal, CallbackNote } from '../domain/appeal.ts'
import type { MediaControl, MediaEvent } from '../domain/media.ts'
import type { AppealStore } from '../queue/appeal-store.ts'
import type { AgentCalls } from './agent-calls.ts'

export type DialBackOutcome =
  /** Citizen and agent talk. */
  | 'connected'
  /** The agent's phone did not answer (or the agent step refused): nobody was called. */
  | 'agent-missed'
  /** The agent answered, the citizen did not (no answer, busy, unreachable). */
  | 'no-answer'
  /** No media server answers, or the appeal has no number to call. */
  | 'unavailable'

export interface DialBackRequest {
  agentId: string
  appeal: Appeal
  /** Rings on the agent's phone are answered without a click (the agent asked for the call). */
  autoAnswer?: boolean
  /** Runs once the agent's phone answered, before the citizen is called; a throw ends the attempt. */
  agentAnswered?: () => Promise<void>
}

export interface DialBackOptions {
  config: Readonly<Config>
  media: MediaControl
  store: AppealStore
  agentCalls: AgentCalls
  prompt: (id: string) => string
  logger: Logger
  clock?: () => Date
}

/** What the agent hears while the citizen's phone rings (China's ring-back cadence: 1 s on, 4 s off). */
const RING_TONE = 'tone_stream://%(1000,4000,450);loops=-1'

export class DialBack {
  readonly #o: DialBackOptions
  readonly #now: () => Date
  /** Connected call-backs driven by this process: citizen leg -> agent, to clear the agent's call at hang-up. */
  readonly #live = new Map<string, string>()
  readonly #unsubscribe: () => void

  constructor(opts: DialBackOptions) {
    this.#o = opts
    this.#now = opts.clock ?? (() => new Date())
    this.#unsubscribe = opts.media.subscribe((e) => void this.#onMedia(e))
  }

  close(): void {
    this.#unsubscribe()
  }

  async connect(req: DialBackRequest): Promise<DialBackOutcome> {
    const { media, config, store } = this.#o
    const { appeal, agentId } = req
    const phone = appeal.citizen.phone
    const up = media.upServers()
    const serverId = appeal.call && up.includes(appeal.call.serverId) ? appeal.call.serverId : up[0]
    if (!phone || !serverId) return 'unavailable'
    const log = this.#o.logger.child({ appealId: appeal.id, agentId, mediaServer: serverId })
    const agentCfg = config.agents.find((x) => x.id === agentId)
    const agentLeg = randomUUID()
    try {
      await media.originate({
        serverId,
        target: agentCfg?.phone?.endpoint ?? config.voice.agentDialString.replace('${agentId}', agentId),
        callId: agentLeg,
        callerIdNumber: config.voice.centreNumber,
        callerIdName: config.voice.centreNumber,
        timeoutSeconds: Math.max(1, Math.floor(config.acd.offerTimeoutSeconds)),
        vars: { gw_leg: 'agent', gw_appeal: appeal.id, ...(req.autoAnswer || agentCfg?.phone?.autoAnswer ? { sip_auto_answer: 'true' } : {}) },
      })
      await req.agentAnswered?.()
    } catch (err) {
      log.info({ code: (err as { code?: string }).code, cause: (err as { cause?: string }).cause }, 'the agent did not take the call-back')
      await media.hangup(serverId, agentLeg).catch(() => undefined)
      return 'agent-missed'
    }
    await media.play(serverId, agentLeg, RING_TONE, { wait: false }).catch(() => undefined)
    const citizenLeg = randomUUID()
    const attempts = (appeal.call?.callbacks?.attempts ?? 0) + 1
    try {
      await media.originate({
        serverId,
        target: config.voice.carrierDialString.replace('${number}', phone.replace('-', '')),
        callId: citizenLeg,
        callerIdNumber: config.voice.centreNumber,
        timeoutSeconds: config.voice.callback.ringSeconds,
        vars: { gw_leg: 'callback', gw_appeal: appeal.id },
      })
    } catch (err) {
      log.info({ cause: (err as { cause?: string }).cause, attempt: attempts }, 'the citizen did not answer the call-back')
      await media.hangup(serverId, agentLeg).catch(() => undefined)
      await this.#note(appeal, { attempts, lastAt: this.#now().toISOString(), outcome: 'no-answer' })
      return 'no-answer'
    }
    await media.stopMedia(serverId, agentLeg).catch(() => undefined)
    await media.play(serverId, citizenLeg, this.#o.prompt('callback_greeting')).catch(() => undefined)
    await media.bridge(serverId, citizenLeg, agentLeg)
    this.#live.set(citizenLeg, agentId)
    await this.#o.agentCalls.set({ agentId, appealId: appeal.id, serverId, callId: citizenLeg, legId: agentLeg })
    const recording = config.voice.recordCalls ? await this.#record(serverId, citizenLeg, appeal.id, log) : undefined
    await store.updateCall(appeal.id, {
      callId: citizenLeg,
      serverId,
      mode: 'live',
      ...(recording ? { recording } : {}),
      callbacks: { attempts, lastAt: this.#now().toISOString(), outcome: 'connected' },
    })
    log.info({ attempt: attempts }, 'call-back connected')
    return 'connected'
  }

  /** Writes where the call-backs stand on the appeal (the note the agent reads on the card). */
  async #note(appeal: Appeal, note: CallbackNote): Promise<void> {
    const call = appeal.call ?? { callId: '', serverId: '', mode: 'message' as const }
    await this.#o.store.updateCall(appeal.id, { ...call, callbacks: note })
  }

  async #record(serverId: string, callId: string, appealId: string, log: Logger): Promise<string | undefined> {
    // One file per call-back: an earlier recording of the same appeal is kept.
    const path = resolve(join(this.#o.config.voice.recordingsDir, `${appealId}-cb-${callId.slice(0, 8)}.wav`))
    try {
      await this.#o.media.startRecording(serverId, callId, path)
      return path
    } catch (err) {
      log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'recording did not start')
      return undefined
    }
  }

  async #onMedia(e: MediaEvent): Promise<void> {
    if (e.type !== 'hangup') return
    const agentId = this.#live.get(e.callId)
    if (!agentId) return
    this.#live.delete(e.callId)
    await this.#o.agentCalls.clear(agentId, e.callId).catch(() => undefined)
  }
}
