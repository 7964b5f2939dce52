/**
 * 回拨 from the console, one click: an agent calls a citizen back for an appeal they hold (any
 * channel with a number), or takes a 漏接回拨 entry (a caller who hung up while waiting) and calls
 * right away. The agent's own phone rings first and answers by itself (the agent asked for the call);
 * the result (connected, not answered) goes back to the console, and the attempt is on the card.
 */
import type { Acd } from '../acd/types.ts'
import type { AppealQueue } from '../domain/ports.ts'
import type { AgentCalls } from './agent-calls.ts'
import type { DialBack, DialBackOutcome } from './dial-back.ts'
import { MEDIA_ERR_NO_NUMBER, MEDIA_ERR_ON_A_CALL } from './errors.ts'
import type { MissedCalls } from './missed-calls.ts'
import { ACD_ERR_APPEAL_NOT_FOUND, ACD_ERR_NOT_HOLDING } from '../acd/errors.ts'

export interface AgentCallBackOptions {
  acd: Acd
  queue: Pick<AppealQueue, 'get'>
  dialBack: DialBack
  missed: MissedCalls
  agentCalls: AgentCalls
}

export class AgentCallBack {
  readonly #o: AgentCallBackOptions

  constructor(opts: AgentCallBackOptions) {
    this.#o = opts
  }

  async call(agentId: string, appealId: string): Promise<DialBackOutcome> {
    const { acd, queue, missed, dialBack, agentCalls } = this.#o
    if (await agentCalls.get(agentId)) throw new MEDIA_ERR_ON_A_CALL()
    let appeal = await queue.get(appealId)
    if (!appeal) throw new ACD_ERR_APPEAL_NOT_FOUND(appealId)
    if (!appeal.citizen.phone) throw new MEDIA_ERR_NO_NUMBER()
    if (!(await acd.status(agentId)).appealIds.includes(appealId)) {
      // Not the agent's: only a 漏接回拨 entry may be taken this way (the ACD refuses anything else).
      if (!(await missed.get(appealId))) throw new ACD_ERR_NOT_HOLDING(appealId)
      appeal = await acd.take(agentId, appealId)
      await missed.remove(appealId)
    }
    return dialBack.connect({ agentId, appeal, autoAnswer: true })
  }
}
