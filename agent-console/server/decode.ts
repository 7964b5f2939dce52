/**
 * Turns one websocket frame into a validated client message, or throws a coded error naming the
 * offending field. Order matters: size, JSON, envelope (v, type), then the type's own schema.
 */
import { withField } from '../../gateway/errors.ts'
import {
  CONSOLE_ERR_INVALID_MESSAGE,
  CONSOLE_ERR_MALFORMED,
  CONSOLE_ERR_TOO_LARGE,
  CONSOLE_ERR_UNKNOWN_TYPE,
  CONSOLE_ERR_UNSUPPORTED_VERSION,
} from './errors.ts'
import { CHECKS, PROTOCOL_VERSION, isClientMessageType, type ClientMessage } from './messages.ts'

export interface Envelope {
  /** The client's correlation id when it could be read, so even a refusal can be matched. */
  id?: string
}

export function decode(data: Buffer, isBinary: boolean, maxBytes: number, envelope: Envelope): ClientMessage {
  if (data.length > maxBytes) throw new CONSOLE_ERR_TOO_LARGE(maxBytes)
  if (isBinary) throw new CONSOLE_ERR_MALFORMED('binary frames are not part of the protocol')
  let parsed: unknown
  try {
    parsed = JSON.parse(data.toString('utf8'))
  } catch {
    throw new CONSOLE_ERR_MALFORMED('not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CONSOLE_ERR_MALFORMED('not a JSON object')
  }
  const obj = parsed as Record<string, unknown>
  if (typeof obj.id === 'string' && obj.id.length <= 64) envelope.id = obj.id
  if (obj.v !== PROTOCOL_VERSION) throw withField(new CONSOLE_ERR_UNSUPPORTED_VERSION(String(obj.v)), '/v')
  if (!isClientMessageType(obj.type)) {
    throw withField(new CONSOLE_ERR_UNKNOWN_TYPE(typeof obj.type === 'string' ? obj.type.slice(0, 40) : typeof obj.type), '/type')
  }
  const check = CHECKS[obj.type]
  if (!check.Check(obj)) {
    const first = check.Errors(obj).First()
    const path = first?.path || '/'
    throw withField(new CONSOLE_ERR_INVALID_MESSAGE(`${obj.type}: ${path} ${first?.message ?? 'is invalid'}`), path)
  }
  return obj as ClientMessage
}
