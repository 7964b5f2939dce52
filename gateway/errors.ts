/**
 * Gateway-wide error codes (GW_ERR_*). Branch on err.code, never on the message.
 * Every code here is listed in docs/errors.md (kept in sync by test/errors-doc.test.ts).
 */
import createError from '@fastify/error'

export const GW_ERR_REDIS_UNAVAILABLE = createError(
  'GW_ERR_REDIS_UNAVAILABLE',
  'The appeal store is unavailable; retry later',
  503,
)
export const GW_ERR_UNAUTHORIZED = createError('GW_ERR_UNAUTHORIZED', 'Authentication required', 401)
export const GW_ERR_FORBIDDEN = createError('GW_ERR_FORBIDDEN', 'Not allowed', 403)
export const GW_ERR_NOT_FOUND = createError<[string]>('GW_ERR_NOT_FOUND', '%s not found', 404)
export const GW_ERR_RATE_LIMITED = createError('GW_ERR_RATE_LIMITED', 'Too many requests; slow down', 429)
export const GW_ERR_ROUTE_NOT_FOUND = createError<[string]>('GW_ERR_ROUTE_NOT_FOUND', 'No route %s', 404)
export const GW_ERR_SHUTTING_DOWN = createError('GW_ERR_SHUTTING_DOWN', 'The gateway is shutting down', 503)
export const GW_ERR_IDEMPOTENCY_MISMATCH = createError(
  'GW_ERR_IDEMPOTENCY_MISMATCH',
  'This delivery id was already used with a different body',
  422,
)
export const GW_ERR_BAD_REQUEST = createError<[string]>('GW_ERR_BAD_REQUEST', 'Bad request: %s', 400)
export const GW_ERR_INTERNAL = createError('GW_ERR_INTERNAL', 'Internal error', 500)

/** An error that names the offending field (JSON pointer style, e.g. /citizen/phone). */
export interface FieldError extends Error {
  code: string
  statusCode: number
  field?: string
}

export function withField<E extends Error>(err: E, field: string): E & { field: string } {
  return Object.assign(err, { field })
}
