/** OpenAPI: the UI at /docs, the JSON at /docs/json. */
import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: '12345 intake gateway',
        description: 'Every channel becomes one Appeal in one queue. Errors: { statusCode, code, error, message, field? }; codes in docs/errors.md.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { staffToken: { type: 'http', scheme: 'bearer' } },
      },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}
