/**
 * The one root logger. Caller numbers, ID-card numbers, names and addresses never reach a log line
 * in full: known fields are redacted at the root, and URLs are masked by the request serializer.
 */
import { pino, type Logger, type LoggerOptions } from 'pino'

const MOBILE_IN_TEXT = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g
const ID_CARD_IN_TEXT = /(?<![\dXx])(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])/g
const LANDLINE_IN_TEXT = /(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)/g
/** A dispatcher link's token is its only credential (gateway/emergency/dispatcher-link.ts). */
const HANDOFF_TOKEN_IN_URL = /\/(handoffs?)\/[A-Za-z0-9_-]{20,}/g

/** Masks phone and ID-card numbers inside free text (URLs, messages). */
export function maskSensitive(text: string): string {
  return text
    .replace(ID_CARD_IN_TEXT, '$1********$2')
    .replace(MOBILE_IN_TEXT, '$1****$2')
    .replace(LANDLINE_IN_TEXT, '$1****$2')
}

const REDACT_PATHS = [
  'phone',
  '*.phone',
  'citizen.phone',
  '*.citizen.phone',
  'name',
  'citizen.name',
  '*.citizen.name',
  'address',
  '*.address',
  'location.address',
  '*.location.address',
  'idNumber',
  '*.idNumber',
  'openid',
  '*.openid',
  'content',
  '*.content',
  'password',
  '*.password',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  'req.headers["sec-websocket-protocol"]',
]

function censor(value: unknown): unknown {
  if (typeof value === 'string' && /^\+?\d[\d-]{6,}$/.test(value)) return maskSensitive(value)
  return '[redacted]'
}

export const loggerOptions = (level: string): LoggerOptions => ({
  level,
  redact: { paths: REDACT_PATHS, censor },
  serializers: {
    req(req: { method: string; url: string; id?: string; ip?: string }) {
      return { method: req.method, url: maskSensitive(req.url.replace(HANDOFF_TOKEN_IN_URL, '/$1/***')), id: req.id }
    },
  },
})

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level))
}
