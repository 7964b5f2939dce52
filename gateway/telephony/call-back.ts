/**
 * The call-back a caller chose while waiting (按1键): the place was kept in the queue; when it is
 * offered, the agent's phone rings first, then the citizen is called through the carrier (DialBack).
 * One process handles each offer (claim).
 * Not answered by the citizen: the agent lets go of it and it is offered again at its original place
 * after voice.callback.retryAfterSeconds, up to voice.callback.attempts tries; after the last one the
 * agent keeps it as written work, the card saying how many call-backs went unanswered.
 */
import type { Appeal } from '../domain/appeal.ts'
import type { Acd, Offer } from '../acd/types.ts'
import type { Config } from '../../config/schema.ts'
import type { Logger } from 'pino'
import type { AppealStore } from '../queue/appeal-store.ts'
import type { CallClaims } from './call-claims.ts'
import type { DialBack } from './dial-back.ts'

export interface CallBackOptions {
  config: Readonly<Config>
  acd: Acd
  store: AppealStore
  claims: CallClaims
  dialBack: DialBack
  logger: Logger
  clock?: () => Date
}

export class CallBack {
  readonly #o: CallBackOptions
  readonly #now: () => Date

  constructor(opts: CallBackOptions) {
    this.#o = opts
    this.#now = opts.clock ?? (() => new Date())
  }

  async run(offer: Offer, appeal: Appeal): Promise<void> {
    const { acd, claims, dialBack } = this.#o
    if (!appeal.call || !(await claims.claim(`offer:${offer.offerId}`))) return
    const outcome = await dialBack.connect({ agentId: offer.agentId, appeal, agentAnswered: async () => void (await acd.accept(offer.agentId, offer.offerId)) })
    if (outcome === 'agent-missed' || outcome === 'unavailable') {
      await acd.missed(offer.agentId, offer.offerId)
      return
    }
    if (outcome === 'no-answer') await this.#notReached(offer.agentId, appeal.id)
  }

  async #notReached(agentId: string, appealId: string): Promise<void> {
    const { config, store, acd } = this.#o
    const appeal = await store.get(appealId)
    const call = appeal?.call
    if (!appeal || !call) return
    const attempts = call.callbacks?.attempts ?? 1
    const log = this.#o.logger.child({ appealId, agentId, attempt: attempts })
    if (attempts < config.voice.callback.attempts) {
      const at = new Date(this.#now().getTime() + config.voice.callback.retryAfterSeconds * 1000)
      await acd.retryLater(agentId, appealId, at)
      await store.updateCall(appealId, { ...call, mode: 'callback', callbacks: { ...call.callbacks!, nextAt: at.toISOString() } })
      log.info({ nextAt: at.toISOString() }, 'call-back not answered; tried again later at its place')
      return
    }
    // The last try: the agent keeps it as written work (the card shows the unanswered call-backs).
    await store.updateCall(appealId, { ...call, mode: 'message', recording: undefined })
    log.info('call-back not answered after the last try; the appeal stays with the agent as written work')
  }
}
