/**
 * `record-message`: plays the prompt, a short tone, and records the caller's message (until #,
 * silence or maxSeconds). The message becomes an appeal: outcome `message`, also when the caller
 * hangs up instead of pressing # — the usual way a message ends.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, StepResult } from '../types.ts'
import { IVR_ERR_RECORD_FAILED, withCause } from '../errors.ts'
import { MediaStep, PROMPT_ID, STOPPED, type StepDefinition } from './step-kit.ts'

export const RecordMessageSchema = Type.Object(
  {
    type: Type.Literal('record-message'),
    prompt: Type.String(PROMPT_ID),
    maxSeconds: Type.Integer({ minimum: 10, maximum: 600 }),
    /** A short tone after the prompt says "speak now"; default true. */
    beep: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type RecordMessageConfig = Static<typeof RecordMessageSchema>

export const BEEP = 'tone_stream://%(400,0,800)'

export class RecordMessageStep extends MediaStep {
  readonly needsAnswer = true
  readonly #config: RecordMessageConfig

  constructor(config: RecordMessageConfig) {
    super()
    this.#config = config
  }

  async exec(ctx: IvrContext): Promise<StepResult> {
    const gone: StepResult = { next: 'end', outcome: { kind: 'caller-gone' } }
    if ((await this.playPrompt(ctx, this.#config.prompt)) === STOPPED) return gone
    if (this.#config.beep !== false) {
      // Without the tone the caller still hears the prompt's 请在提示音后留言: record anyway.
      try {
        if ((await this.playMedia(ctx, BEEP, 'beep')) === STOPPED) return gone
      } catch (err) {
        ctx.log.warn({ err: { code: (err as { code?: string }).code } }, 'the tone before a message did not play')
      }
    }
    if (this.stopped) return gone
    const recordingPath = ctx.recordingPath('message')
    try {
      await this.wait(ctx, ctx.media.recordMessage(ctx.call.serverId, ctx.call.callId, recordingPath, this.#config.maxSeconds))
    } catch (err) {
      throw withCause(new IVR_ERR_RECORD_FAILED(), err)
    }
    // Stopped or not: whatever the caller said until then is the message.
    return { next: 'end', outcome: { kind: 'message', recordingPath, request: { ...ctx.queue } } }
  }
}

export const recordMessage: StepDefinition<RecordMessageConfig> = {
  type: 'record-message',
  schema: RecordMessageSchema,
  create: (c) => new RecordMessageStep(c),
  prompts: (c) => [{ field: '/prompt', id: c.prompt }],
  leaves: () => true,
}
