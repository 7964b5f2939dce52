/** Agent authentication errors (AUTH_ERR_*). Listed in docs/errors.md. */
import createError from '@fastify/error'

export const AUTH_ERR_INVALID_CREDENTIALS = createError(
  'AUTH_ERR_INVALID_CREDENTIALS',
  'Wrong username or password',
  401,
)
export const AUTH_ERR_LOCKED = createError(
  'AUTH_ERR_LOCKED',
  'Too many failed logins; try again after Retry-After seconds',
  429,
)
export const AUTH_ERR_TOKEN_INVALID = createError('AUTH_ERR_TOKEN_INVALID', 'Access token missing, expired or invalid', 401)
export const AUTH_ERR_REFRESH_INVALID = createError(
  'AUTH_ERR_REFRESH_INVALID',
  'Refresh token unknown, expired, already used or revoked',
  401,
)
export const AUTH_ERR_FORBIDDEN = createError<[string]>('AUTH_ERR_FORBIDDEN', 'Not allowed: %s', 403)
