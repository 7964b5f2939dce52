/**
 * `collect`: plays a prompt and collects digits into a variable; jumps to the flow of the matching
 * case, else to `default`, else goes on. With cases and no pattern, only the case keys are valid
 * input: a wrong key is answered by invalidPrompt and asked again (tries), not taken as a choice.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, StepResult } from '../types.ts'
import { IVR_ERR_COLLECT_FAILED, IVR_ERR_PROMPT_FAILED, withCause } from '../errors.ts'
import { CONTINUE, FLOW_ID, MediaStep, PROMPT_ID, STOPPED, type FieldRef, type StepDefinition } from './step-kit.ts'

export const CollectSchema = Type.Object(
  {
    type: Type.Literal('collect'),
    prompt: Type.String(PROMPT_ID),
    min: Type.Integer({ minimum: 1, maximum: 32 }),
    max: Type.Integer({ minimum: 1, maximum: 32 }),
    tries: Type.Integer({ minimum: 1, maximum: 5 }),
    timeoutMs: Type.Integer({ minimum: 1000, maximum: 60_000 }),
    /** Regular expression over the digits; invalid input is asked again. */
    pattern: Type.Optional(Type.String({ pattern: '^\\S+$' })),
    terminators: Type.Optional(Type.String({ pattern: '^[0-9*#]+$' })),
    invalidPrompt: Type.Optional(Type.String(PROMPT_ID)),
    into: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$' }),
    cases: Type.Optional(Type.Record(Type.String(), Type.String(FLOW_ID))),
    default: Type.Optional(Type.String(FLOW_ID)),
  },
  { additionalProperties: false },
)
export type CollectConfig = Static<typeof CollectSchema>

export class CollectStep extends MediaStep {
  readonly needsAnswer = true
  readonly #c: CollectConfig

  constructor(config: CollectConfig) {
    super()
    this.#c = config
  }

  async exec(ctx: IvrContext): Promise<StepResult> {
    const c = this.#c
    const prompt = resolvePrompt(ctx, c.prompt)
    const invalidPrompt = c.invalidPrompt === undefined ? undefined : resolvePrompt(ctx, c.invalidPrompt)
    let digits: string | typeof STOPPED
    try {
      digits = await this.wait(
        ctx,
        ctx.media.collect(ctx.call.serverId, ctx.call.callId, {
          prompt,
          minDigits: c.min,
          maxDigits: c.max,
          tries: c.tries,
          timeoutMs: c.timeoutMs,
          pattern: c.pattern ?? casePattern(c.cases),
          ...(c.terminators ? { terminators: c.terminators } : {}),
          ...(invalidPrompt ? { invalidPrompt } : {}),
        }),
      )
    } catch (err) {
      throw withCause(new IVR_ERR_COLLECT_FAILED(c.into), err)
    }
    if (digits === STOPPED) return CONTINUE
    ctx.vars[c.into] = digits
    const target = (c.cases && Object.hasOwn(c.cases, digits) ? c.cases[digits] : undefined) ?? c.default
    return target ? { next: 'goto', flow: target } : CONTINUE
  }
}

function resolvePrompt(ctx: IvrContext, id: string): string {
  try {
    return ctx.prompt(id)
  } catch (err) {
    throw withCause(new IVR_ERR_PROMPT_FAILED(id), err)
  }
}

/** `^(?:1|2|0)$` from the case keys: only a listed choice is valid input. */
function casePattern(cases: Record<string, string> | undefined): string | undefined {
  if (!cases || Object.keys(cases).length === 0) return undefined
  return `^(?:${Object.keys(cases).map((k) => k.replace(/[*#]/g, (ch) => `\\${ch}`)).join('|')})$`
}

export const collect: StepDefinition<CollectConfig> = {
  type: 'collect',
  schema: CollectSchema,
  create: (c) => new CollectStep(c),
  prompts: (c) => [
    { field: '/prompt', id: c.prompt },
    ...(c.invalidPrompt !== undefined ? [{ field: '/invalidPrompt', id: c.invalidPrompt }] : []),
  ],
  targets: (c) => {
    const refs: FieldRef[] = Object.entries(c.cases ?? {}).map(([digits, flow]) => ({ field: `/cases/${pointer(digits)}`, id: flow }))
    if (c.default !== undefined) refs.push({ field: '/default', id: c.default })
    return refs
  },
  leaves: (c) => c.default !== undefined,
  check: (c) => {
    if (c.min > c.max) return { field: '/min', message: `min ${c.min} is more than max ${c.max}` }
    if (c.pattern !== undefined) {
      try {
        new RegExp(c.pattern)
      } catch {
        return { field: '/pattern', message: 'not a regular expression' }
      }
    }
    for (const digits of Object.keys(c.cases ?? {})) {
      if (!/^[0-9*#]+$/.test(digits) || digits.length < c.min || digits.length > c.max) {
        return { field: `/cases/${pointer(digits)}`, message: `a case is ${c.min} to ${c.max} keys of 0-9 * #` }
      }
    }
    return undefined
  },
}

/** JSON pointer escaping of one key. */
function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}
