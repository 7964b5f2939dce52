/**
 * `transfer`: hands the caller to a number outside (the media server's bridge). The IVR ends as soon
 * as the far end answers (the `bridged` event), not when that conversation ends; a far end that never
 * answers is IVR_ERR_TRANSFER_FAILED and the flow goes on (at worst the caller is enqueued).
 */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, StepResult } from '../types.ts'
import { IVR_ERR_TRANSFER_FAILED, withCause } from '../errors.ts'
import { MediaStep, STOPPED, type StepDefinition } from './step-kit.ts'

export const TransferSchema = Type.Object(
  {
    type: Type.Literal('transfer'),
    number: Type.String({ pattern: '^[0-9]{3,20}$' }),
  },
  { additionalProperties: false },
)
export type TransferConfig = Static<typeof TransferSchema>

export class TransferStep extends MediaStep {
  readonly needsAnswer = false
  readonly #number: string

  constructor(config: TransferConfig) {
    super()
    this.#number = config.number
  }

  async exec(ctx: IvrContext): Promise<StepResult> {
    const { serverId, callId } = ctx.call
    let unsubscribe = () => {}
    const bridged = new Promise<'bridged'>((resolve) => {
      unsubscribe = ctx.media.subscribe((e) => {
        if (e.type === 'bridged' && e.callId === callId && e.serverId === serverId) resolve('bridged')
      })
    })
    try {
      const run = ctx.media.transfer(serverId, callId, ctx.dialString(this.#number)).then(() => 'ended' as const)
      const how = await this.wait(ctx, Promise.race([bridged, run]))
      // The bridge app also ends when the caller hangs up while it rings: that is no transfer.
      if (how === STOPPED || (how === 'ended' && ctx.signal.aborted)) return { next: 'end', outcome: { kind: 'caller-gone' } }
      return { next: 'end', outcome: { kind: 'transferred', target: this.#number } }
    } catch (err) {
      throw withCause(new IVR_ERR_TRANSFER_FAILED(this.#number), err)
    } finally {
      unsubscribe()
    }
  }
}

export const transfer: StepDefinition<TransferConfig> = {
  type: 'transfer',
  schema: TransferSchema,
  create: (c) => new TransferStep(c),
  leaves: () => true,
}
