/**
 * Runs a caller through the flows: steps in order, jumps between flows (at most maxJumps), answers
 * the channel before the first step that needs it. A failing step is logged once with its IVR_ERR_*
 * code and the flow goes on; a flow that stops without an ending step enqueues the caller: no
 * failure here drops a call. When the caller hangs up (ctx.signal) the running step is stopped and
 * the outcome is `caller-gone`, unless that step still ends the IVR (a message recorded until then).
 */
import type { Flow } from './flow-schema.ts'
import { STEPS, type StepRegistry } from './steps/index.ts'
import type { FlowOutcome, IvrContext, Step, StepResult } from './types.ts'
import { IVR_ERR_ANSWER_FAILED, IVR_ERR_STEP_FAILED, IVR_ERR_TOO_MANY_JUMPS, IVR_ERR_UNKNOWN_FLOW, withCause } from './errors.ts'

export interface RunIvrOptions {
  steps?: StepRegistry
  /** Jumps between flows before the caller is enqueued instead; default 20. */
  maxJumps?: number
  /** How long a stopped step may take to settle after the caller hung up; default 2000 ms. */
  stopGraceMs?: number
}

/** Failures that are part of normal life (the far end did not answer): warn, not error. */
const EXPECTED = new Set(['IVR_ERR_TRANSFER_FAILED'])

const GONE: FlowOutcome = Object.freeze({ kind: 'caller-gone' })
const HUNG_UP: unique symbol = Symbol('hung up')

type Coded = Error & { code?: string; cause?: unknown }

export async function runIvr(flows: ReadonlyMap<string, Flow>, startFlowId: string, ctx: IvrContext, opts: RunIvrOptions = {}): Promise<FlowOutcome> {
  const registry = opts.steps ?? STEPS
  const maxJumps = opts.maxJumps ?? 20
  const grace = opts.stopGraceMs ?? 2000
  let onAbort = () => {}
  const hungUp = new Promise<typeof HUNG_UP>((resolve) => {
    onAbort = () => resolve(HUNG_UP)
    ctx.signal.addEventListener('abort', onAbort, { once: true })
  })
  const enqueue = (why: string): FlowOutcome => {
    if (ctx.signal.aborted) return GONE
    ctx.log.info({ why }, 'the IVR ends by enqueueing the caller')
    return { kind: 'enqueue', request: { ...ctx.queue } }
  }
  const report = (err: Coded, where: Record<string, unknown>) => {
    const cause = err.cause as Coded | undefined
    // `code` is what to branch on or count; `cause` is the media error's code (MEDIA_ERR_*).
    const fields = { ...where, code: err.code, ...(cause?.code ? { cause: cause.code } : {}), err: { message: err.message } }
    if (err.code && EXPECTED.has(err.code)) ctx.log.warn(fields, 'IVR step failed; the caller carries on')
    else ctx.log.error(fields, 'IVR step failed; the caller carries on')
  }

  try {
    let flowId = startFlowId
    let jumps = 0
    for (;;) {
      const flow = flows.get(flowId)
      if (!flow) {
        report(new IVR_ERR_UNKNOWN_FLOW(flowId), { flow: flowId })
        return enqueue('unknown flow')
      }
      let jumped = false
      for (let i = 0; i < flow.steps.length && !jumped; i++) {
        if (ctx.signal.aborted) return GONE
        const config = flow.steps[i]
        const where = { flow: flow.id, step: i, type: config.type }
        let result: StepResult | typeof HUNG_UP
        try {
          const step = registry[config.type].create(config)
          if (step.needsAnswer && !ctx.answered) await answer(ctx, report, where)
          result = await runStep(step, ctx, hungUp, grace)
        } catch (err) {
          if (ctx.signal.aborted) return GONE
          const e = err as Coded
          report(e.code?.startsWith('IVR_ERR_') ? e : withCause(new IVR_ERR_STEP_FAILED(config.type), e), where)
          continue
        }
        if (result === HUNG_UP) return GONE
        if (result.next === 'end') return result.outcome
        if (result.next === 'goto') {
          if (++jumps > maxJumps) {
            report(new IVR_ERR_TOO_MANY_JUMPS(maxJumps), where)
            return enqueue('too many jumps')
          }
          flowId = result.flow
          jumped = true
        }
      }
      if (!jumped) return enqueue(`flow ${flow.id} ended without an ending step`)
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort)
  }
}

/** Answers before a step that needs it; a failure is logged and the step is tried anyway. */
async function answer(ctx: IvrContext, report: (err: Coded, where: Record<string, unknown>) => void, where: Record<string, unknown>): Promise<void> {
  try {
    await ctx.media.answer(ctx.call.serverId, ctx.call.callId)
    ctx.answered = true
  } catch (err) {
    if (ctx.signal.aborted) throw err
    report(withCause(new IVR_ERR_ANSWER_FAILED(), err), where)
  }
}

async function runStep(step: Step, ctx: IvrContext, hungUp: Promise<typeof HUNG_UP>, graceMs: number): Promise<StepResult | typeof HUNG_UP> {
  const run = step.exec(ctx)
  const first = await Promise.race([run, hungUp])
  if (first !== HUNG_UP) return first
  step.stop()
  // The step may still end the IVR (a message recorded until the caller hung up); wait briefly.
  let timer: NodeJS.Timeout | undefined
  const late = await Promise.race([
    run.catch((): typeof HUNG_UP => HUNG_UP),
    new Promise<typeof HUNG_UP>((resolve) => {
      timer = setTimeout(() => resolve(HUNG_UP), graceMs)
    }),
  ])
  clearTimeout(timer)
  return late !== HUNG_UP && late.next === 'end' ? late : HUNG_UP
}
