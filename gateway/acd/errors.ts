/** ACD errors (ACD_ERR_*): agent states, offers, appeals held by agents. Listed in docs/errors.md. */
import createError from '@fastify/error'

export const ACD_ERR_UNKNOWN_AGENT = createError<[string]>('ACD_ERR_UNKNOWN_AGENT', 'Unknown agent %s', 404)
export const ACD_ERR_OFFER_NOT_FOUND = createError(
  'ACD_ERR_OFFER_NOT_FOUND',
  'This offer is no longer open for this agent (expired, revoked or never made)',
  409,
)
export const ACD_ERR_NOT_HOLDING = createError<[string]>(
  'ACD_ERR_NOT_HOLDING',
  'The agent does not hold appeal %s',
  409,
)
export const ACD_ERR_INVALID_STATE = createError<[string]>('ACD_ERR_INVALID_STATE', 'Not allowed now: %s', 409)
export const ACD_ERR_INVALID_REASON = createError<[string]>(
  'ACD_ERR_INVALID_REASON',
  'Not-ready reason %s is not one of the configured reasons',
  400,
)
export const ACD_ERR_APPEAL_NOT_FOUND = createError<[string]>('ACD_ERR_APPEAL_NOT_FOUND', 'Appeal %s not found', 404)
export const ACD_ERR_UNKNOWN_QUEUE = createError<[string]>('ACD_ERR_UNKNOWN_QUEUE', 'No queue %s', 400)
export const ACD_ERR_INVALID_RECORD = createError<[string]>('ACD_ERR_INVALID_RECORD', 'Invalid intake record: %s', 400)
