/**
 * Agent console error codes (CONSOLE_ERR_*). Sent in `error` frames over the websocket (and as the
 * close reason when the server closes a socket). The status is the nearest HTTP equivalent, used
 * when a refusal happens before the upgrade (origin) and in docs.
 */
import createError from '@fastify/error'

export const CONSOLE_ERR_ORIGIN = createError<[string]>('CONSOLE_ERR_ORIGIN', 'Origin %s is not allowed', 403)
export const CONSOLE_ERR_UNAUTHORIZED = createError('CONSOLE_ERR_UNAUTHORIZED', 'A valid access token is required', 401)
export const CONSOLE_ERR_TOKEN_EXPIRED = createError('CONSOLE_ERR_TOKEN_EXPIRED', 'The access token expired', 401)
export const CONSOLE_ERR_AUTH_TIMEOUT = createError<[number]>(
  'CONSOLE_ERR_AUTH_TIMEOUT',
  'No auth message within %d ms',
  401,
)
export const CONSOLE_ERR_IDENTITY_CHANGED = createError(
  'CONSOLE_ERR_IDENTITY_CHANGED',
  'A renewed token must belong to the same agent and role',
  403,
)
export const CONSOLE_ERR_MALFORMED = createError<[string]>('CONSOLE_ERR_MALFORMED', 'Malformed message: %s', 400)
export const CONSOLE_ERR_INVALID_MESSAGE = createError<[string]>('CONSOLE_ERR_INVALID_MESSAGE', '%s', 400)
export const CONSOLE_ERR_UNSUPPORTED_VERSION = createError<[string]>(
  'CONSOLE_ERR_UNSUPPORTED_VERSION',
  'Protocol version %s is not supported (use v:1)',
  400,
)
export const CONSOLE_ERR_UNKNOWN_TYPE = createError<[string]>('CONSOLE_ERR_UNKNOWN_TYPE', 'Unknown message type %s', 400)
export const CONSOLE_ERR_TOO_LARGE = createError<[number]>('CONSOLE_ERR_TOO_LARGE', 'Message larger than %d bytes', 413)
export const CONSOLE_ERR_FORBIDDEN = createError<[string]>('CONSOLE_ERR_FORBIDDEN', 'Not allowed: %s', 403)
export const CONSOLE_ERR_NOT_FOUND = createError<[string]>('CONSOLE_ERR_NOT_FOUND', '%s not found', 404)
export const CONSOLE_ERR_VOICE_NOT_CONNECTED = createError(
  'CONSOLE_ERR_VOICE_NOT_CONNECTED',
  'The voice path is not connected; call control is unavailable',
  409,
)
export const CONSOLE_ERR_ON_THE_PHONE = createError(
  'CONSOLE_ERR_ON_THE_PHONE',
  'Answer, mute and the keypad are done on the phone itself (the softphone in the console, or the desk phone)',
  409,
)
export const CONSOLE_ERR_REPLACED = createError(
  'CONSOLE_ERR_REPLACED',
  'This console was taken over by a newer login of the same agent',
  409,
)
export const CONSOLE_ERR_LOGGED_OUT = createError(
  'CONSOLE_ERR_LOGGED_OUT',
  'The user logged out; this console is closed',
  401,
)
export const CONSOLE_ERR_INTERNAL = createError('CONSOLE_ERR_INTERNAL', 'Internal error', 500)
