/** OpenAPI from the routes' own schemas (@fastify/swagger), browsable at /docs. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const DOCS_PATH = '/docs';

/** Must run before any route is registered: the spec is collected as routes are added. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'listclean',
        version: '1',
        description:
          'Email list cleaning without sending mail. Every /v1 route needs ' +
          '"Authorization: Bearer <API key>"; errors are {"error": {"code", "message"}}.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS.' },
          adminKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'The operator key, ADMIN_KEY (GET /v1/doctor).',
          },
        },
      },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'lists', description: 'Upload lists and follow their progress' },
        { name: 'reports', description: 'Download the reports of a done list' },
        { name: 'operations', description: 'Health and monitoring' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PATH });
}
