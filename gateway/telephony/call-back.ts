/**
 * The call-back a caller chose while waiting (按1键): the place was kept in the queue; when it is
 * offered, the agent's phone rings first, then the citizen is called through the carrier and both
 * are bridged, the citizen hearing a short greeting first. One process handles each offer (claim).
 * Not answered by the citizen: the appeal stays with the agent as written work with a note.
 */
import { randomUUID } from 'node:crypto'
import type { Appeal } from '../domain/appeal.ts'
import type { Offer } from '../acd/types.ts'
import type { CallRouterOptions } from './call-router.ts'

export class CallBack {
  readonly #o: CallRouterOptions

  constructor(opts: CallRouterOptions) {
    this.#o = opts
  }

  async run(offer: Offer, appeal: Appeal): Promise<void> {
    const { media, acd, config, claims, store } = this.#o
    if (!appeal.call || !appeal.citizen.phone || !(await claims.claim(`offer:${offer.offerId}`))) return
    const log = this.#o.logger.child({ appealId: appeal.id, agentId: offer.agentId })
    const up = media.upServers()
    const serverId = up.includes(appeal.call.serverId) ? appeal.call.serverId : up[0]
    if (!serverId) return void (await acd.missed(offer.agentId, offer.offerId))
    const agentCfg = config.agents.find((x) => x.id === offer.agentId)
    const agentLeg = randomUUID()
    try {
      await media.originate({
        serverId,
        target: agentCfg?.phone?.endpoint ?? config.voice.agentDialString.replace('${agentId}', offer.agentId),
        callId: agentLeg,
        callerIdNumber: config.voice.centreNumber,
        timeoutSeconds: Math.max(1, Math.floor(config.acd.offerTimeoutSeconds)),
        vars: { gw_leg: 'agent', gw_appeal: appeal.id },
      })
      await acd.accept(offer.agentId, offer.offerId)
    } catch (err) {
      log.info({ code: (err as { code?: string }).code }, 'the agent did not take the call-back')
      await media.hangup(serverId, agentLeg).catch(() => undefined)
      await acd.missed(offer.agentId, offer.offerId)
      return
    }
    const citizenLeg = randomUUID()
    try {
      await media.originate({
        serverId,
        target: config.voice.carrierDialString.replace('${number}', appeal.citizen.phone.replace('-', '')),
        callId: citizenLeg,
        callerIdNumber: config.voice.centreNumber,
        timeoutSeconds: config.voice.callback.ringSeconds,
        vars: { gw_leg: 'callback', gw_appeal: appeal.id },
      })
      await media.play(serverId, citizenLeg, this.#o.prompt('callback_greeting')).catch(() => undefined)
      await media.bridge(serverId, citizenLeg, agentLeg)
      await store.updateCall(appeal.id, { callId: citizenLeg, serverId, mode: 'live' })
      log.info('call-back connected')
    } catch (err) {
      log.info({ cause: (err as { cause?: string }).cause }, 'the citizen did not answer the call-back; the appeal stays with the agent as written work')
      await media.hangup(serverId, agentLeg).catch(() => undefined)
      await store.updateCall(appeal.id, { ...appeal.call, mode: 'message', recording: undefined })
    }
  }
}
