/** Appeal ids derive from channel + external id, so a re-delivered message maps to the same appeal. */
import { createHash, randomUUID } from 'node:crypto'
import type { Channel } from '../domain/appeal.ts'

/** 'ap_' + 24 base64url chars of sha256: no ':' (bullmq job ids may not contain it), never all digits. */
export function appealIdFor(channel: Channel, externalId: string): string {
  const digest = createHash('sha256').update(`${channel}\n${externalId}`).digest('base64url')
  return `ap_${digest.slice(0, 24)}`
}

export function freshExternalId(): string {
  return randomUUID()
}

/** Hash of what the citizen sent, to tell a true re-delivery from a reused key with another body. */
export function intakeHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 22)
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}
