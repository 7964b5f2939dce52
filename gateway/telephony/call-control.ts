/**
 * What an agent does to the call from the console, carried out over the event socket by whichever
 * process holds the agent's socket (the call's legs are named in Redis: ./agent-calls.ts).
 *   hold     the agent leg is held (uuid_hold: no audio either way); FreeSWITCH plays hold music to the caller
 *   hangup   ends the call (in a three-party call: the agent leaves, the others go on)
 *   transfer to an agent or a queue: the ACD re-queues the appeal and the caller waits with music
 *            until the next agent answers (the router hears appeal-released); to a number: the caller
 *            is bridged to it through the carrier and the agent's leg ends
 *   conference (three-party): caller and agent move into a conference, the third party is called in
 * Answer, mute and the keypad are the softphone's own (SIP from the browser), not server commands.
 */
import type { VoiceConfig } from '../../config/voice-schema.ts'
import type { Acd } from '../acd/types.ts'
import type { MediaControl } from '../domain/media.ts'
import { MEDIA_ERR_COMMAND, MEDIA_ERR_NO_CALL } from './errors.ts'
import type { AgentCall, AgentCalls } from './agent-calls.ts'

export type CallTarget = { agentId: string } | { number: string } | { queue: string }

export interface CallControlOptions {
  media: MediaControl & { api(serverId: string, cmd: string): Promise<string> }
  acd: Acd
  calls: AgentCalls
  voice: VoiceConfig
}

export class CallControl {
  readonly #o: CallControlOptions

  constructor(opts: CallControlOptions) {
    this.#o = opts
  }

  async hold(agentId: string, on: boolean): Promise<void> {
    const c = await this.#call(agentId)
    const { media, voice } = this.#o
    // FreeSWITCH plays the held leg's `hold_music` to the other party itself and stops it on resume
    // (a music broadcast of our own outlived the resume on the real server).
    if (on) await media.setVar(c.serverId, c.legId, 'hold_music', voice.waiting.music)
    await media.hold(c.serverId, c.legId, on)
  }

  async hangup(agentId: string): Promise<void> {
    const c = await this.#call(agentId)
    // In a conference only the agent leaves; on a two-party call the caller's leg ends with it.
    await this.#o.media.hangup(c.serverId, c.conference ? c.legId : c.callId)
  }

  async transfer(agentId: string, target: CallTarget): Promise<void> {
    const c = await this.#call(agentId)
    if ('number' in target) {
      const dial = this.#dial(target.number)
      // uuid_transfer of one leg of a bridge hangs up the other leg (fixtures round 2): the agent's.
      await this.#o.media.api(c.serverId, `uuid_transfer ${c.callId} 'bridge:${dial}' inline`)
      return
    }
    await this.#o.acd.transfer(agentId, c.appealId, target)
  }

  /** Brings a third party (an agent's phone or a number) into a conference with caller and agent. */
  async conference(agentId: string, target: { agentId: string } | { number: string }): Promise<string> {
    const c = await this.#call(agentId)
    const room = c.conference ?? `gw-${c.appealId}`
    if (!c.conference) {
      await this.#o.media.api(c.serverId, `uuid_transfer ${c.callId} -both conference:${room}@default inline`)
      await this.#o.calls.set({ ...c, conference: room })
    }
    const dial = 'agentId' in target ? this.#o.voice.agentDialString.replace('${agentId}', target.agentId) : this.#dial(target.number)
    return this.#o.media.originate({
      serverId: c.serverId,
      target: dial,
      callerIdNumber: this.#o.voice.centreNumber,
      timeoutSeconds: 30,
      vars: { gw_leg: 'third-party', gw_appeal: c.appealId },
      app: `conference(${room}@default)`,
    })
  }

  /**
   * A supervisor listens in on the agent's call (FreeSWITCH eavesdrop on the AGENT leg, fixtures
   * round 3b): listen = hears both, nobody hears the supervisor; whisper = only the agent hears the
   * supervisor (eavesdrop_whisper_bleg); barge = both hear the supervisor (three_way). The
   * supervisor's phone rings first; DTMF from it is ignored so a key press cannot change the mode.
   */
  async listenIn(supervisorId: string, agentId: string, mode: 'listen' | 'whisper' | 'barge'): Promise<string> {
    const c = await this.#call(agentId)
    const vars: Record<string, string> = { gw_leg: 'supervisor', gw_appeal: c.appealId, eavesdrop_enable_dtmf: 'false' }
    if (mode === 'whisper') vars.eavesdrop_whisper_bleg = 'true'
    return this.#o.media.originate({
      serverId: c.serverId,
      target: this.#o.voice.agentDialString.replace('${agentId}', supervisorId),
      callerIdNumber: agentId,
      callerIdName: mode,
      timeoutSeconds: 30,
      vars,
      app: mode === 'barge' ? `three_way(${c.legId})` : `eavesdrop(${c.legId})`,
    })
  }

  #dial(number: string): string {
    if (!/^[0-9+*#]{3,20}$/.test(number)) throw new MEDIA_ERR_COMMAND('transfer', 'not a dialable number')
    return this.#o.voice.carrierDialString.replace('${number}', number)
  }

  async #call(agentId: string): Promise<AgentCall> {
    const c = await this.#o.calls.get(agentId)
    if (!c) throw new MEDIA_ERR_NO_CALL()
    return c
  }
}
