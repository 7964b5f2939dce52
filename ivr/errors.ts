/**
 * IVR errors (IVR_ERR_*): a step that failed while a caller was in a flow. The engine logs each once
 * and carries on (next step, else the queue): no failure here ever drops a caller. Listed in
 * docs/errors.md. Bad flow files are configuration errors (CFG_ERR_INVALID), not these.
 */
import createError from '@fastify/error'

export const IVR_ERR_ANSWER_FAILED = createError('IVR_ERR_ANSWER_FAILED', 'The call could not be answered')
export const IVR_ERR_PROMPT_FAILED = createError<[string]>('IVR_ERR_PROMPT_FAILED', 'Prompt %s could not be played')
export const IVR_ERR_COLLECT_FAILED = createError<[string]>('IVR_ERR_COLLECT_FAILED', 'Digits for %s could not be collected')
export const IVR_ERR_TRANSFER_FAILED = createError<[string]>('IVR_ERR_TRANSFER_FAILED', 'The transfer to %s did not connect')
export const IVR_ERR_RECORD_FAILED = createError('IVR_ERR_RECORD_FAILED', 'The message could not be recorded')
export const IVR_ERR_STEP_FAILED = createError<[string]>('IVR_ERR_STEP_FAILED', 'Step %s failed')
export const IVR_ERR_TOO_MANY_JUMPS = createError<[number]>('IVR_ERR_TOO_MANY_JUMPS', 'More than %d jumps between flows')
export const IVR_ERR_UNKNOWN_FLOW = createError<[string]>('IVR_ERR_UNKNOWN_FLOW', 'No flow %s is loaded')

/** Keeps the media error that caused an IVR error (logged with it; its code is MEDIA_ERR_*). */
export function withCause<E extends Error>(err: E, cause: unknown): E {
  return Object.assign(err, { cause })
}
