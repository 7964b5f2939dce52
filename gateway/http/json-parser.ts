/**
 * JSON bodies: rejected unless valid UTF-8, parsed with prototype-poisoning protection, and the raw
 * bytes kept on the request for signature checks (HMAC over the exact body).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isUtf8 } from 'node:buffer'
import secureJson from 'secure-json-parse'
import { CH_ERR_INVALID_UTF8, CH_ERR_MALFORMED_JSON } from '../../channels/errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer
  }
}

export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (req: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) => {
      req.rawBody = body
      try {
        done(null, parseJsonBody(body))
      } catch (err) {
        done(err as Error)
      }
    },
  )
}

/** UTF-8 check + poisoning-safe parse; throws CH_ERR_INVALID_UTF8 / CH_ERR_MALFORMED_JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw new CH_ERR_INVALID_UTF8()
  const text = body.toString('utf8')
  if (text.trim() === '') throw new CH_ERR_MALFORMED_JSON('empty body')
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })
  } catch (err) {
    throw new CH_ERR_MALFORMED_JSON((err as Error).message)
  }
}
