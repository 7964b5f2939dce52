/**
 * A record an emergency partner pushes to 12345 without a call: the partner's case reference, the
 * caller's number, location, summary, category and the time the partner took the call. It becomes
 * an appeal on channel `emergency` (origin = the partner's number, external id = partner +
 * reference: a re-delivery is the same appeal) at the head of the one queue.
 */
import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { CATEGORIES, type AppealDraft } from '../../gateway/domain/appeal.ts'
import { withField } from '../../gateway/errors.ts'
import { PARTNER_REFERENCE } from '../../gateway/emergency/partner-record.ts'
import { LocationSchema } from '../common/draft-schema.ts'
import { CH_ERR_VALIDATION } from '../errors.ts'

const ISO_TIME = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})$'
/** The partner's clock may run ahead of ours; beyond this a time in the future is a sender bug. */
const FUTURE_SKEW_MS = 5 * 60 * 1000

export const PartnerMessageSchema = Type.Object(
  {
    reference: Type.String({ pattern: PARTNER_REFERENCE, description: "The partner's own case number (接警单号)" }),
    callerNumber: Type.String({ minLength: 3, maxLength: 32, description: "The caller's number as the partner received it" }),
    callerName: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    location: Type.Optional(LocationSchema),
    summary: Type.String({ minLength: 1, maxLength: 5000 }),
    category: Type.Optional(Type.Union(CATEGORIES.map((c) => Type.Literal(c)))),
    time: Type.String({ maxLength: 40, pattern: ISO_TIME, description: 'When the partner took the call (ISO 8601 with offset)' }),
  },
  { additionalProperties: false },
)
export type PartnerMessage = Static<typeof PartnerMessageSchema>

const check = TypeCompiler.Compile(PartnerMessageSchema)

export interface ValidPartnerMessage {
  message: PartnerMessage
  time: Date
  draft: AppealDraft
}

export function validatePartnerMessage(raw: unknown, now: Date): ValidPartnerMessage {
  const first = check.Errors(raw).First()
  if (first) {
    const field = first.path || '/'
    throw withField(new CH_ERR_VALIDATION(`${field}: ${first.message}`), field)
  }
  const message = raw as PartnerMessage
  const time = new Date(message.time)
  if (Number.isNaN(time.getTime())) throw withField(new CH_ERR_VALIDATION('/time: not a valid time'), '/time')
  if (time.getTime() > now.getTime() + FUTURE_SKEW_MS) throw withField(new CH_ERR_VALIDATION('/time: in the future'), '/time')
  const draft: AppealDraft = {
    citizen: { phone: message.callerNumber, ...(message.callerName ? { name: message.callerName } : {}) },
    content: message.summary,
    ...(message.category ? { category: message.category } : {}),
    ...(message.location ? { location: message.location } : {}),
  }
  return { message, time, draft }
}
