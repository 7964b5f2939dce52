/**
 * What the step files share: the registry entry a step exports (its schema and what the loader
 * checks), and a base for steps that wait on media so that stop() ends the wait at once.
 */
import type { TObject } from '@sinclair/typebox'
import type { IvrContext, Step, StepResult } from '../types.ts'
import { IVR_ERR_PROMPT_FAILED, withCause } from '../errors.ts'

/** A step as written in a flow file: `type` names the step, the other fields are its own. */
export interface StepConfig {
  type: string
  [field: string]: unknown
}

/** A field of a step that names something the loader checks (a prompt id, a flow id). */
export interface FieldRef {
  /** JSON pointer inside the step, e.g. `/prompt`, `/cases/1`; '' when the step itself implies it. */
  field: string
  id: string
}

/** One registry entry: a new step is one file exporting this, and one line in steps/index.ts. */
export interface StepDefinition<C = StepConfig> {
  type: string
  /** The step's fields, `type` included; additionalProperties false. */
  schema: TObject
  create(config: C): Step
  /** Prompt ids the step plays, for the startup check against the prompt index. */
  prompts?(config: C): FieldRef[]
  /** Flows the step may jump to, for the startup check that they exist. */
  targets?(config: C): FieldRef[]
  /** True when a flow never goes on past this step: it ends the IVR or always jumps. */
  leaves?(config: C): boolean
  /** What the schema cannot say (one of two fields, min <= max); the field and why, or undefined. */
  check?(config: C): { field: string; message: string } | undefined
}

export const STOPPED: unique symbol = Symbol('stopped')

/** A step that waits on the media server: stop() ends the wait and breaks the media on the channel. */
export abstract class MediaStep implements Step {
  abstract readonly needsAnswer: boolean
  #stopped = false
  #wake: (() => void) | undefined
  readonly #woken = new Promise<typeof STOPPED>((resolve) => {
    this.#wake = () => resolve(STOPPED)
  })
  #ctx: IvrContext | undefined

  abstract exec(ctx: IvrContext): Promise<StepResult>

  get stopped(): boolean {
    return this.#stopped
  }

  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#wake?.()
    const ctx = this.#ctx
    if (!ctx) return
    // On a channel that is gone this is a no-op (the adapter tolerates it); otherwise the caller
    // must not keep hearing a prompt the flow no longer waits for.
    ctx.media.stopMedia(ctx.call.serverId, ctx.call.callId).catch((err: unknown) => {
      ctx.log.debug({ err: { code: (err as { code?: string }).code } }, 'stopping media after the caller left failed')
    })
  }

  /** Waits for the media command unless stop() comes first (then STOPPED). */
  protected async wait<T>(ctx: IvrContext, media: Promise<T>): Promise<T | typeof STOPPED> {
    this.#ctx = ctx
    if (this.#stopped) {
      media.catch(() => {})
      return STOPPED
    }
    media.catch(() => {}) // a rejection after stop() has nobody to tell
    return Promise.race([media, this.#woken])
  }

  /** Plays a prompt by id and waits for its end; a failure is IVR_ERR_PROMPT_FAILED naming the id. */
  protected async playPrompt(ctx: IvrContext, id: string): Promise<void | typeof STOPPED> {
    let media: string
    try {
      media = ctx.prompt(id)
    } catch (err) {
      throw withCause(new IVR_ERR_PROMPT_FAILED(id), err)
    }
    return this.playMedia(ctx, media, id)
  }

  /** Plays a media string (file, tone_stream://...) and waits for its end. */
  protected async playMedia(ctx: IvrContext, media: string, name: string): Promise<void | typeof STOPPED> {
    try {
      return await this.wait(ctx, ctx.media.play(ctx.call.serverId, ctx.call.callId, media, { wait: true }))
    } catch (err) {
      throw withCause(new IVR_ERR_PROMPT_FAILED(name), err)
    }
  }
}

export const CONTINUE: StepResult = Object.freeze({ next: 'continue' })

/** Prompt ids and flow ids: what config/prompts and config/ivr file names allow. */
export const PROMPT_ID = { pattern: '^[a-z0-9_/-]+$', minLength: 1 } as const
export const FLOW_ID = { pattern: '^[a-z0-9-]+$', minLength: 1 } as const
