/**
 * Graceful drain for keep-alive connections. Fastify answers requests that arrive while closing with
 * 503 + `Connection: close`, but a request already being handled when close() starts is answered on
 * a connection that stays open, idle, for keepAliveTimeout (72 s by default) — and close() waits for
 * it. A browser console with a fetch in flight at a restart would hold the old process that long. So,
 * once closing: every response says `Connection: close`, and each finished response reaps the
 * connections that have become idle.
 */
import type { FastifyInstance } from 'fastify'

export function registerDrain(app: FastifyInstance): void {
  let draining = false
  app.addHook('preClose', async () => {
    draining = true
    app.server.closeIdleConnections()
  })
  app.addHook('onSend', async (req, reply) => {
    if (draining && req.raw.httpVersionMajor === 1) void reply.header('connection', 'close')
  })
  app.addHook('onResponse', async () => {
    if (draining) app.server.closeIdleConnections()
  })
}
