/** Media-server errors (MEDIA_ERR_*): the event socket, its commands, originates. Listed in docs/errors.md. */
import createError from '@fastify/error'

export const MEDIA_ERR_CONNECT = createError<[string, string]>('MEDIA_ERR_CONNECT', 'Cannot reach media server %s: %s', 503)
export const MEDIA_ERR_AUTH = createError<[string]>(
  'MEDIA_ERR_AUTH',
  'Media server %s refused the event-socket password (check FS_ESL_PASSWORD)',
  503,
)
export const MEDIA_ERR_DISCONNECTED = createError<[string]>('MEDIA_ERR_DISCONNECTED', 'Media server %s is not connected', 503)
export const MEDIA_ERR_TIMEOUT = createError<[string, string]>('MEDIA_ERR_TIMEOUT', 'Media server %s did not answer %s in time', 504)
export const MEDIA_ERR_COMMAND = createError<[string, string]>('MEDIA_ERR_COMMAND', 'Media server refused %s: %s', 502)
export const MEDIA_ERR_ORIGINATE_FAILED = createError<[string]>('MEDIA_ERR_ORIGINATE_FAILED', 'The call could not be placed: %s', 502)
export const MEDIA_ERR_UNKNOWN_SERVER = createError<[string]>('MEDIA_ERR_UNKNOWN_SERVER', 'No media server %s', 500)
export const MEDIA_ERR_NO_CALL = createError('MEDIA_ERR_NO_CALL', 'The agent is not on a call', 409)
export const MEDIA_ERR_ON_A_CALL = createError('MEDIA_ERR_ON_A_CALL', 'The agent is already on a call', 409)
export const MEDIA_ERR_NO_NUMBER = createError('MEDIA_ERR_NO_NUMBER', 'The citizen left no number to call back', 409)
