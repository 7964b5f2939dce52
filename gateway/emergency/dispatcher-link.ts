/**
 * The dispatcher link: `<publicBaseUrl>/handoff/<token>`. The token is 24 random bytes (base64url,
 * 32 characters), stored in Redis only as its SHA-256 (handoff-store.ts) with its expiry; it is the
 * only credential a dispatcher needs — emergency staff have no account here — so it is read-only
 * but for the answer (已接收 / 退回12345), expires (emergency.linkTtlHours), and never reaches a log
 * line (gateway/log.ts masks it in URLs). The call's recording is served through the same token.
 */
import { randomBytes } from 'node:crypto'
import type { RecordLinks } from './handoff-record.ts'

export const LINK_TOKEN = '^[A-Za-z0-9_-]{32}$'
const TOKEN_RE = new RegExp(LINK_TOKEN)

export function newLinkToken(): string {
  return randomBytes(24).toString('base64url')
}

export function isLinkToken(token: string): boolean {
  return TOKEN_RE.test(token)
}

export function linksFor(publicBaseUrl: string, token: string, expiresAt: Date, withRecording: boolean): RecordLinks {
  const base = publicBaseUrl.replace(/\/+$/, '')
  return {
    link: `${base}/handoff/${token}`,
    answerUrl: `${base}/v1/handoffs/${token}/answer`,
    ...(withRecording ? { recordingUrl: `${base}/v1/handoffs/${token}/recording` } : {}),
    expiresAt,
  }
}
