/** Intake channel error codes (CH_ERR_*): what a partner or citizen did wrong, and which field. */
import createError from '@fastify/error'

export const CH_ERR_VALIDATION = createError<[string]>('CH_ERR_VALIDATION', '%s', 400)
export const CH_ERR_MALFORMED_JSON = createError<[string]>('CH_ERR_MALFORMED_JSON', 'Malformed JSON: %s', 400)
export const CH_ERR_INVALID_UTF8 = createError('CH_ERR_INVALID_UTF8', 'Body is not valid UTF-8', 400)
export const CH_ERR_UNSUPPORTED_MEDIA_TYPE = createError<[string]>(
  'CH_ERR_UNSUPPORTED_MEDIA_TYPE',
  'Unsupported content type %s',
  415,
)
export const CH_ERR_BODY_TOO_LARGE = createError<[number]>(
  'CH_ERR_BODY_TOO_LARGE',
  'Body larger than %d bytes',
  413,
)
export const CH_ERR_MISSING_CONTACT = createError(
  'CH_ERR_MISSING_CONTACT',
  'The citizen needs at least one way to be reached (phone or openid)',
  400,
)
export const CH_ERR_INVALID_PHONE = createError<[string]>('CH_ERR_INVALID_PHONE', 'Invalid phone number %s', 400)
export const CH_ERR_EMPTY_CONTENT = createError('CH_ERR_EMPTY_CONTENT', 'Appeal content is empty', 400)
export const CH_ERR_BAD_SIGNATURE = createError('CH_ERR_BAD_SIGNATURE', 'Signature does not match', 401)
export const CH_ERR_STALE_TIMESTAMP = createError<[number]>(
  'CH_ERR_STALE_TIMESTAMP',
  'Timestamp outside the %d-second window',
  401,
)
export const CH_ERR_REPLAYED = createError('CH_ERR_REPLAYED', 'This signature was already used', 401)
export const CH_ERR_CHANNEL_DISABLED = createError<[string]>(
  'CH_ERR_CHANNEL_DISABLED',
  'Channel %s is not configured on this gateway',
  503,
)
export const CH_ERR_SIGNATURE_HEADER = createError<[string]>(
  'CH_ERR_SIGNATURE_HEADER',
  'Header %s is missing or malformed',
  401,
)
export const CH_ERR_UNKNOWN_APP = createError<[string]>('CH_ERR_UNKNOWN_APP', 'No signed app named %s', 404)
export const CH_ERR_TOO_MANY_MESSAGES = createError<[number]>(
  'CH_ERR_TOO_MANY_MESSAGES',
  'At most %d messages per request',
  400,
)

// WeChat channels (official account push + mini-program).
export const CH_ERR_XML_FORBIDDEN = createError(
  'CH_ERR_XML_FORBIDDEN',
  'XML with a DOCTYPE or ENTITY declaration is refused',
  400,
)
export const CH_ERR_XML_MALFORMED = createError<[string]>('CH_ERR_XML_MALFORMED', 'Malformed XML: %s', 400)
export const CH_ERR_WECHAT_DECRYPT_FAILED = createError<[string]>(
  'CH_ERR_WECHAT_DECRYPT_FAILED',
  'The encrypted WeChat message cannot be decrypted (%s)',
  400,
)
export const CH_ERR_WECHAT_INVALID_CODE = createError(
  'CH_ERR_WECHAT_INVALID_CODE',
  'The wx.login code is invalid or already used; call wx.login again',
  400,
)
export const CH_ERR_WECHAT_RATE_LIMITED = createError(
  'CH_ERR_WECHAT_RATE_LIMITED',
  'WeChat refuses more logins for this user this minute; retry later',
  429,
)
export const CH_ERR_WECHAT_USER_BLOCKED = createError(
  'CH_ERR_WECHAT_USER_BLOCKED',
  'WeChat blocked the login of this user as high-risk',
  403,
)
export const CH_ERR_WECHAT_BUSY = createError('CH_ERR_WECHAT_BUSY', 'WeChat is busy; retry later', 503)
export const CH_ERR_WECHAT_UNREACHABLE = createError<[string]>(
  'CH_ERR_WECHAT_UNREACHABLE',
  'WeChat could not be reached (%s); retry later',
  503,
)
export const CH_ERR_WECHAT_BAD_RESPONSE = createError<[string]>(
  'CH_ERR_WECHAT_BAD_RESPONSE',
  'WeChat answered with an error the gateway cannot resolve (%s)',
  502,
)
export const CH_ERR_WECHAT_SESSION_REQUIRED = createError(
  'CH_ERR_WECHAT_SESSION_REQUIRED',
  'A mini-program session is required: Authorization: Bearer <sessionToken>',
  401,
)
export const CH_ERR_WECHAT_SESSION_EXPIRED = createError(
  'CH_ERR_WECHAT_SESSION_EXPIRED',
  'The mini-program session is unknown or expired; log in again',
  401,
)
