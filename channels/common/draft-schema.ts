/** The Appeal draft every channel produces, as JSON schema: partners learn one shape. */
import { Type, type Static } from '@sinclair/typebox'
import { CATEGORIES } from '../../gateway/domain/appeal.ts'

export const CitizenSchema = Type.Object(
  {
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 32 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    openid: Type.Optional(Type.String({ minLength: 6, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
)

export const LocationSchema = Type.Object(
  {
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  },
  { additionalProperties: false },
)

export const AttachmentSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 100 }),
    url: Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' }),
    size: Type.Integer({ minimum: 0, maximum: 200 * 1024 * 1024 }),
  },
  { additionalProperties: false },
)

export const draftProperties = {
  citizen: CitizenSchema,
  content: Type.String({ minLength: 1, maxLength: 5000 }),
  category: Type.Optional(Type.Union(CATEGORIES.map((c) => Type.Literal(c)))),
  location: Type.Optional(LocationSchema),
  attachments: Type.Optional(Type.Array(AttachmentSchema, { maxItems: 20 })),
  confidential: Type.Optional(Type.Boolean()),
}

export const AppealDraftSchema = Type.Object(draftProperties, { additionalProperties: false, $id: 'AppealDraft' })
export type AppealDraftBody = Static<typeof AppealDraftSchema>

export const AcceptedSchema = Type.Object({
  id: Type.String(),
  appealNumber: Type.String({ examples: ['20261127-000123'] }),
  status: Type.String(),
})

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
})
