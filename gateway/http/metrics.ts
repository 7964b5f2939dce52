/** Prometheus metrics, one registry per app instance (tests build many apps in one process). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { FastifyInstance } from 'fastify'

export interface Metrics {
  registry: Registry
  received: Counter<'channel'>
  rejected: Counter<'channel' | 'reason'>
  enqueueSeconds: Histogram<'channel'>
  queueDepth: Gauge
}

export function createMetrics(opts: { queueDepth: () => Promise<number>; defaults?: boolean }): Metrics {
  const registry = new Registry()
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'gw_' })
  return {
    registry,
    received: new Counter({
      name: 'gw_appeals_received_total',
      help: 'Appeals accepted into the queue, per intake channel (re-deliveries not counted)',
      labelNames: ['channel'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'gw_appeals_rejected_total',
      help: 'Intake requests rejected, per channel and error code',
      labelNames: ['channel', 'reason'],
      registers: [registry],
    }),
    enqueueSeconds: new Histogram({
      name: 'gw_enqueue_duration_seconds',
      help: 'Time from a valid intake request to Redis holding the appeal and its queue entry',
      labelNames: ['channel'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'gw_queue_depth',
      help: 'Appeals waiting in the one queue',
      registers: [registry],
      async collect() {
        try {
          this.set(await opts.queueDepth())
        } catch {
          // Redis down: keep the last value; /readyz reports the outage.
        }
      },
    }),
  }
}

export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const body = await metrics.registry.metrics()
    return reply.type(metrics.registry.contentType).send(body)
  })
}
