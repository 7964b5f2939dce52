/** `say-digits`: speaks a variable digit by digit (prompts digits/0 .. digits/9); other characters are skipped. */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, StepResult } from '../types.ts'
import { CONTINUE, MediaStep, type StepDefinition } from './step-kit.ts'

export const SayDigitsSchema = Type.Object(
  {
    type: Type.Literal('say-digits'),
    variable: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$' }),
  },
  { additionalProperties: false },
)
export type SayDigitsConfig = Static<typeof SayDigitsSchema>

const DIGIT_PROMPTS = Array.from({ length: 10 }, (_, d) => `digits/${d}`)

export class SayDigitsStep extends MediaStep {
  readonly needsAnswer = true
  readonly #variable: string

  constructor(config: SayDigitsConfig) {
    super()
    this.#variable = config.variable
  }

  async exec(ctx: IvrContext): Promise<StepResult> {
    for (const ch of ctx.vars[this.#variable] ?? '') {
      if (this.stopped) break
      if (ch >= '0' && ch <= '9') await this.playPrompt(ctx, `digits/${ch}`)
    }
    return CONTINUE
  }
}

export const sayDigits: StepDefinition<SayDigitsConfig> = {
  type: 'say-digits',
  schema: SayDigitsSchema,
  create: (c) => new SayDigitsStep(c),
  prompts: () => DIGIT_PROMPTS.map((id) => ({ field: '', id })),
}
