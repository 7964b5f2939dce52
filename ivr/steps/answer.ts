/** `answer`: answers the channel (once; a channel the dialplan answered is left alone). */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, Step, StepResult } from '../types.ts'
import { IVR_ERR_ANSWER_FAILED, withCause } from '../errors.ts'
import { CONTINUE, type StepDefinition } from './step-kit.ts'

export const AnswerSchema = Type.Object({ type: Type.Literal('answer') }, { additionalProperties: false })
export type AnswerConfig = Static<typeof AnswerSchema>

export class AnswerStep implements Step {
  readonly needsAnswer = false

  async exec(ctx: IvrContext): Promise<StepResult> {
    if (!ctx.answered) {
      try {
        await ctx.media.answer(ctx.call.serverId, ctx.call.callId)
      } catch (err) {
        throw withCause(new IVR_ERR_ANSWER_FAILED(), err)
      }
      ctx.answered = true
    }
    return CONTINUE
  }

  stop(): void {}
}

export const answer: StepDefinition<AnswerConfig> = {
  type: 'answer',
  schema: AnswerSchema,
  create: () => new AnswerStep(),
}
