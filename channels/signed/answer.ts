/**
 * The answer to a signed request, one shape for a lone message and a batch:
 *   202 every message accepted (re-deliveries included, with created:false)
 *   207 some accepted, some rejected
 *   4xx none accepted: the status, code, message and field of the first rejection (400, or 422 for
 *       an externalId reused with another body), plus the same two lists
 */
import { STATUS_CODES } from 'node:http'
import { Type } from '@sinclair/typebox'
import type { Outcome } from './process-messages.ts'

const AcceptedItemSchema = Type.Object({
  index: Type.Integer(),
  externalId: Type.String(),
  id: Type.String(),
  appealNumber: Type.String({ examples: ['20261127-000123'] }),
  status: Type.String(),
  created: Type.Boolean(),
})

const RejectedItemSchema = Type.Object({
  index: Type.Integer(),
  externalId: Type.Optional(Type.String()),
  code: Type.String(),
  field: Type.String({ examples: ['/messages/3/citizen/phone'] }),
  message: Type.String(),
})

const lists = {
  accepted: Type.Array(AcceptedItemSchema),
  rejected: Type.Array(RejectedItemSchema),
}

export const BatchAnswerSchema = Type.Object(lists)

export const BatchRejectedSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
  accepted: Type.Optional(lists.accepted),
  rejected: Type.Optional(lists.rejected),
})

export function answerOf(outcomes: Outcome[]): { status: number; body: Record<string, unknown> } {
  const accepted = outcomes.filter((o) => o.ok).map(({ ok: _ok, ...a }) => a)
  const rejected = outcomes.filter((o) => !o.ok).map(({ ok: _ok, statusCode: _s, ...r }) => r)
  if (rejected.length === 0) return { status: 202, body: { accepted, rejected } }
  if (accepted.length > 0) return { status: 207, body: { accepted, rejected } }
  const first = outcomes.find((o) => !o.ok)!
  const status = first.statusCode
  return {
    status,
    body: {
      statusCode: status,
      code: first.code,
      error: STATUS_CODES[status] ?? 'Error',
      message: rejected.length > 1 ? `${first.message} (and ${rejected.length - 1} more rejected)` : first.message,
      field: first.field,
      accepted,
      rejected,
    },
  }
}
