/** `enqueue`: ends the IVR; the call waits for an agent with what `set` asked for. */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, Step, StepResult } from '../types.ts'
import type { StepDefinition } from './step-kit.ts'

export const EnqueueSchema = Type.Object({ type: Type.Literal('enqueue') }, { additionalProperties: false })
export type EnqueueConfig = Static<typeof EnqueueSchema>

export class EnqueueStep implements Step {
  readonly needsAnswer = false

  async exec(ctx: IvrContext): Promise<StepResult> {
    return { next: 'end', outcome: { kind: 'enqueue', request: { ...ctx.queue } } }
  }

  stop(): void {}
}

export const enqueue: StepDefinition<EnqueueConfig> = {
  type: 'enqueue',
  schema: EnqueueSchema,
  create: () => new EnqueueStep(),
  leaves: () => true,
}
