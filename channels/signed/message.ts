/**
 * One signed message: the Appeal draft plus the sender's own id (externalId), the time the citizen
 * posted it (receivedAt) and, optionally, the citizen's account id at the sender (userId).
 * validateMessage is the one check both the HTTP channel and the import command apply to each item.
 */
import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { AppealDraft } from '../../gateway/domain/appeal.ts'
import { withField } from '../../gateway/errors.ts'
import { draftProperties } from '../common/draft-schema.ts'
import { CH_ERR_VALIDATION } from '../errors.ts'
import { accountOpenid, type SignedSource } from './sources.ts'

export const MAX_MESSAGES = 500
/** A citizen's clock may run ahead of ours; beyond this a receivedAt in the future is a sender bug. */
const FUTURE_SKEW_MS = 5 * 60 * 1000
const ISO_TIME = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})$'
const OPENID_MAX = 64

export const SignedMessageSchema = Type.Object(
  {
    externalId: Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[\\x21-\\x7E]+$',
      description: "The sender's own id of this message (board post id, mailbox letter id): redelivery-safe",
    }),
    receivedAt: Type.Optional(
      Type.String({ maxLength: 40, pattern: ISO_TIME, description: 'When the citizen posted it (ISO 8601 with offset)' }),
    ),
    userId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 48,
        pattern: '^[A-Za-z0-9_-]+$',
        description: "The citizen's account id at the sender; stored as citizen.openid, namespaced by source",
      }),
    ),
    ...draftProperties,
  },
  { additionalProperties: false },
)
export type SignedMessage = Static<typeof SignedMessageSchema>

export const SignedBatchSchema = Type.Object(
  { messages: Type.Array(SignedMessageSchema, { minItems: 1, maxItems: MAX_MESSAGES }) },
  { additionalProperties: false },
)

const check = TypeCompiler.Compile(SignedMessageSchema)

export interface ValidMessage {
  externalId: string
  receivedAt?: Date
  draft: AppealDraft
}

/**
 * Schema, receivedAt and userId rules for one item; `at` is the item's JSON pointer (/messages/3).
 * Content rules (blank text, phone format, a way to reach the citizen) follow in intake().
 */
export function validateMessage(raw: unknown, at: string, source: SignedSource, now: Date): ValidMessage {
  const first = check.Errors(raw).First()
  if (first) {
    const field = `${at}${first.path}` || '/'
    throw withField(new CH_ERR_VALIDATION(`${field}: ${first.message}`), field)
  }
  const msg = raw as SignedMessage
  const { externalId, receivedAt: postedAt, userId, ...draft } = msg

  let receivedAt: Date | undefined
  if (postedAt !== undefined) {
    receivedAt = new Date(postedAt)
    if (Number.isNaN(receivedAt.getTime())) {
      throw withField(new CH_ERR_VALIDATION(`${at}/receivedAt: not a valid time`), `${at}/receivedAt`)
    }
    if (receivedAt.getTime() > now.getTime() + FUTURE_SKEW_MS) {
      throw withField(new CH_ERR_VALIDATION(`${at}/receivedAt: in the future`), `${at}/receivedAt`)
    }
  }

  if (userId !== undefined) {
    if (draft.citizen.openid !== undefined) {
      throw withField(new CH_ERR_VALIDATION(`${at}/userId: give userId or citizen.openid, not both`), `${at}/userId`)
    }
    const openid = accountOpenid(source, userId)
    if (openid.length > OPENID_MAX) {
      throw withField(new CH_ERR_VALIDATION(`${at}/userId: too long for this source`), `${at}/userId`)
    }
    draft.citizen = { ...draft.citizen, openid }
  }
  return { externalId, receivedAt, draft: draft as AppealDraft }
}
