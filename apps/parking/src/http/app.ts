import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { ErrorBody, registerErrorHandler } from './errors';
import { healthRoutes, type HealthChecks } from './health';

export interface HttpDeps {
  log: Logger;
  health: HealthChecks;
}

/** The HTTP app: health, readiness and the OpenAPI document at /docs (JSON at /docs/json). */
export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Probes and API calls would flood the log; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Call parking service', version: '1', description: 'Admin, call-control and event API of the call-parking service.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addSchema(ErrorBody);
  registerErrorHandler(app);
  await app.register(healthRoutes(deps.health));
  return app;
}
