/**
 * Accepts or rejects each signed message on its own: validateMessage, then intake() (normalize,
 * store, queue). The HTTP channel and the import command both go through here.
 * A caller's mistake (4xx) rejects that item only; our failure (5xx, e.g. Redis down) stops the
 * batch and is thrown: every item already stored is safe to send again (same externalId).
 */
import type { FastifyBaseLogger } from 'fastify'
import { intake, type IntakeDeps } from '../common/intake.ts'
import { mapLimit } from '../common/map-limit.ts'
import { validateMessage } from './message.ts'
import type { SignedSource } from './sources.ts'

export interface AcceptedItem {
  /** Position in the batch (or the import's row number). */
  index: number
  externalId: string
  id: string
  appealNumber: string
  status: string
  /** false: this externalId was already delivered; the answer names the existing appeal. */
  created: boolean
}

export interface RejectedItem {
  index: number
  /** Absent when the item did not carry a usable externalId. */
  externalId?: string
  statusCode: number
  code: string
  field: string
  message: string
}

export type Outcome = ({ ok: true } & AcceptedItem) | ({ ok: false } & RejectedItem)

export interface ProcessOptions {
  source: SignedSource
  /** JSON pointer of item i in what the sender sent ('' for a lone message, /messages/3 in a batch). */
  pointer: (i: number) => string
  /** Number reported for item i (batch index, or the import file's row number). */
  indexOf?: (i: number) => number
  clock: () => Date
  concurrency: number
  onOutcome?: (outcome: Outcome) => void
}

interface CodedError extends Error {
  code?: string
  statusCode?: number
  field?: string
}

export async function processMessages(
  deps: IntakeDeps,
  log: FastifyBaseLogger,
  items: readonly unknown[],
  opts: ProcessOptions,
): Promise<Outcome[]> {
  const { source } = opts
  return mapLimit(items, opts.concurrency, async (raw, i) => {
    const at = opts.pointer(i)
    const index = opts.indexOf ? opts.indexOf(i) : i
    let outcome: Outcome
    try {
      const msg = validateMessage(raw, at, source, opts.clock())
      const { appeal, created } = await intake(deps, log, {
        channel: source.channel,
        externalId: msg.externalId,
        origin: source.origin,
        draft: msg.draft,
        receivedAt: msg.receivedAt,
        at,
      })
      outcome = {
        ok: true,
        index,
        externalId: msg.externalId,
        id: appeal.id,
        appealNumber: appeal.appealNumber,
        status: appeal.status,
        created,
      }
    } catch (e) {
      const err = e as CodedError
      if (!isCallersMistake(err)) throw err
      const field = err.field ?? (err.code === 'GW_ERR_IDEMPOTENCY_MISMATCH' ? `${at}/externalId` : at || '/')
      const externalId = externalIdOf(raw)
      outcome = {
        ok: false,
        index,
        ...(externalId ? { externalId } : {}),
        statusCode: err.statusCode!,
        code: err.code!,
        field,
        message: err.message,
      }
      deps.metrics.rejected.inc({ channel: source.channel, reason: outcome.code })
      log.info({ code: outcome.code, field, index }, 'signed message rejected')
    }
    opts.onOutcome?.(outcome)
    return outcome
  })
}

function isCallersMistake(err: CodedError): boolean {
  return typeof err.code === 'string' && /^[A-Z]+_ERR_/.test(err.code) && !!err.statusCode && err.statusCode >= 400 && err.statusCode < 500
}

function externalIdOf(raw: unknown): string | undefined {
  const id = (raw as { externalId?: unknown } | null)?.externalId
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined
}
