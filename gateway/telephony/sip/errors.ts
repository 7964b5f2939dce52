/** SIP edge errors (SIP_ERR_*): the drachtio connection. Listed in docs/errors.md. */
import createError from '@fastify/error'

export const SIP_ERR_AUTH = createError('SIP_ERR_AUTH', 'drachtio-server refused the secret (check DRACHTIO_SECRET)', 503)
