/**
 * JSON routes take JSON only: fastify's built-in text/plain parser would hand the schema a string
 * and answer 400 "body must be object"; a body of another type is 415 with the type it had.
 */
import type { FastifyRequest } from 'fastify'
import { CH_ERR_UNSUPPORTED_MEDIA_TYPE } from '../errors.ts'

export async function requireJson(req: FastifyRequest): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/json') throw new CH_ERR_UNSUPPORTED_MEDIA_TYPE(type || '(none)')
}
