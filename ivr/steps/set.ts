/** `set`: what the call asks of the queue (skill, priority, language), for the `enqueue` that follows. */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, Step, StepResult } from '../types.ts'
import { CONTINUE, type StepDefinition } from './step-kit.ts'

export const SetSchema = Type.Object(
  {
    type: Type.Literal('set'),
    skill: Type.Optional(Type.String({ minLength: 1 })),
    /** Lower is served first (calls are 1, written appeals 10). */
    priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    language: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false, minProperties: 2 },
)
export type SetConfig = Static<typeof SetSchema>

export class SetStep implements Step {
  readonly needsAnswer = false
  readonly #config: SetConfig

  constructor(config: SetConfig) {
    this.#config = config
  }

  async exec(ctx: IvrContext): Promise<StepResult> {
    const { skill, priority, language } = this.#config
    if (skill !== undefined) ctx.queue.skill = skill
    if (priority !== undefined) ctx.queue.priority = priority
    if (language !== undefined) ctx.queue.language = language
    return CONTINUE
  }

  stop(): void {}
}

export const set: StepDefinition<SetConfig> = {
  type: 'set',
  schema: SetSchema,
  create: (c) => new SetStep(c),
}
