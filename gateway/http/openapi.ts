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
        securitySchemes: {
          staffToken: { type: 'http', scheme: 'bearer', description: 'A token from STAFF_API_TOKENS' },
          agentToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An agent or supervisor access token from POST /v1/auth/login' },
        },
      },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}
