/** `play`: one prompt (by id), a file (absolute path) or a tone; the flow goes on once it was heard. */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, StepResult } from '../types.ts'
import { CONTINUE, MediaStep, PROMPT_ID, type StepDefinition } from './step-kit.ts'

export const PlaySchema = Type.Object(
  {
    type: Type.Literal('play'),
    prompt: Type.Optional(Type.String(PROMPT_ID)),
    file: Type.Optional(Type.String({ pattern: '^/[^\\s]+$' })),
    tone: Type.Optional(Type.String({ pattern: '^tone_stream://\\S+$' })),
  },
  { additionalProperties: false },
)
export type PlayConfig = Static<typeof PlaySchema>

export class PlayStep extends MediaStep {
  readonly needsAnswer = true
  readonly #config: PlayConfig

  constructor(config: PlayConfig) {
    super()
    this.#config = config
  }

  async exec(ctx: IvrContext): Promise<StepResult> {
    const { prompt, file, tone } = this.#config
    if (prompt !== undefined) await this.playPrompt(ctx, prompt)
    else await this.playMedia(ctx, (file ?? tone)!, (file ?? tone)!)
    return CONTINUE
  }
}

export const play: StepDefinition<PlayConfig> = {
  type: 'play',
  schema: PlaySchema,
  create: (c) => new PlayStep(c),
  prompts: (c) => (c.prompt !== undefined ? [{ field: '/prompt', id: c.prompt }] : []),
  check: (c) => {
    const given = (['prompt', 'file', 'tone'] as const).filter((k) => c[k] !== undefined)
    if (given.length === 1) return undefined
    return { field: given.length ? `/${given[1]}` : '', message: 'give exactly one of prompt, file, tone' }
  },
}
