/**
 * The body of a signed request: one message, or { "messages": [ ... ] } with 1..500 of them.
 * Only the envelope is checked here; each message is then judged on its own (process-messages.ts).
 */
import { withField } from '../../gateway/errors.ts'
import { CH_ERR_TOO_MANY_MESSAGES, CH_ERR_VALIDATION } from '../errors.ts'
import { MAX_MESSAGES } from './message.ts'

export interface Envelope {
  items: unknown[]
  batch: boolean
  pointer: (i: number) => string
}

export function envelopeOf(body: unknown): Envelope {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw withField(new CH_ERR_VALIDATION('the body must be one message or { "messages": [ ... ] }'), '/')
  }
  if (!Object.hasOwn(body, 'messages')) return { items: [body], batch: false, pointer: () => '' }

  const { messages, ...rest } = body as { messages: unknown }
  const extra = Object.keys(rest)[0]
  if (extra !== undefined) throw withField(new CH_ERR_VALIDATION(`/${extra} is not an allowed field of a batch`), `/${extra}`)
  if (!Array.isArray(messages) || messages.length === 0) {
    throw withField(new CH_ERR_VALIDATION('/messages must be an array of 1..500 messages'), '/messages')
  }
  if (messages.length > MAX_MESSAGES) throw withField(new CH_ERR_TOO_MANY_MESSAGES(MAX_MESSAGES), '/messages')
  return { items: messages, batch: true, pointer: (i) => `/messages/${i}` }
}
