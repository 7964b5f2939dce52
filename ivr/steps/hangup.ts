/** `hangup`: an optional last prompt, then the call ends. */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, StepResult } from '../types.ts'
import { IVR_ERR_STEP_FAILED, withCause } from '../errors.ts'
import { MediaStep, PROMPT_ID, STOPPED, type StepDefinition } from './step-kit.ts'

export const HangupSchema = Type.Object(
  {
    type: Type.Literal('hangup'),
    prompt: Type.Optional(Type.String(PROMPT_ID)),
  },
  { additionalProperties: false },
)
export type HangupConfig = Static<typeof HangupSchema>

export class HangupStep extends MediaStep {
  readonly needsAnswer: boolean
  readonly #prompt: string | undefined

  constructor(config: HangupConfig) {
    super()
    this.#prompt = config.prompt
    this.needsAnswer = config.prompt !== undefined
  }

  async exec(ctx: IvrContext): Promise<StepResult> {
    // A goodbye that fails to play must not end the call unheard: the error sends the caller on (queue).
    if (this.#prompt !== undefined && (await this.playPrompt(ctx, this.#prompt)) === STOPPED) {
      return { next: 'end', outcome: { kind: 'caller-gone' } }
    }
    try {
      await ctx.media.hangup(ctx.call.serverId, ctx.call.callId)
    } catch (err) {
      throw withCause(new IVR_ERR_STEP_FAILED('hangup'), err)
    }
    return { next: 'end', outcome: { kind: 'hangup' } }
  }
}

export const hangup: StepDefinition<HangupConfig> = {
  type: 'hangup',
  schema: HangupSchema,
  create: (c) => new HangupStep(c),
  prompts: (c) => (c.prompt !== undefined ? [{ field: '/prompt', id: c.prompt }] : []),
  leaves: () => true,
}
