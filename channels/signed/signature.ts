/**
 * The signed-channel contract: X-Signature = lowercase hex HMAC-SHA256(secret, `<X-Timestamp>.<raw body>`).
 * Pure functions; the route and the tests (which sign like a partner would) share them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { withField } from '../../gateway/errors.ts'
import { CH_ERR_BAD_SIGNATURE, CH_ERR_SIGNATURE_HEADER, CH_ERR_STALE_TIMESTAMP } from '../errors.ts'

const TIMESTAMP = /^[0-9]{1,12}$/
const SIGNATURE = /^[0-9a-fA-F]{64}$/

export interface SignedHeaders {
  /** Unix seconds, exactly as sent (the signed string uses these bytes). */
  timestamp: string
  /** Lowercased hex. */
  signature: string
}

export function sign(secret: string, timestamp: string | number, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
}

/** Reads and shape-checks the two headers; the missing or malformed one is named in `field`. */
export function readSignedHeaders(headers: Record<string, string | string[] | undefined>): SignedHeaders {
  const timestamp = headers['x-timestamp']
  if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) {
    throw withField(new CH_ERR_SIGNATURE_HEADER('X-Timestamp'), '/headers/x-timestamp')
  }
  const signature = headers['x-signature']
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) {
    throw withField(new CH_ERR_SIGNATURE_HEADER('X-Signature'), '/headers/x-signature')
  }
  return { timestamp, signature: signature.toLowerCase() }
}

export function assertFresh(timestamp: string, now: Date, windowSeconds: number): void {
  const skew = Math.abs(Number(timestamp) - Math.floor(now.getTime() / 1000))
  if (skew > windowSeconds) throw withField(new CH_ERR_STALE_TIMESTAMP(windowSeconds), '/headers/x-timestamp')
}

/** Constant-time comparison of the expected and the given signature. */
export function assertSignature(secret: string, h: SignedHeaders, body: Buffer): void {
  const expected = Buffer.from(sign(secret, h.timestamp, body), 'hex')
  const given = Buffer.from(h.signature, 'hex')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw withField(new CH_ERR_BAD_SIGNATURE(), '/headers/x-signature')
  }
}
