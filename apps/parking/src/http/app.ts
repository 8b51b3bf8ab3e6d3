import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import rateLimit from '@fastify/rate-limit';
import AjvCompiler from '@fastify/ajv-compiler';
import { createHash } from 'node:crypto';
import { ParkingError } from '../domain/errors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { apiKeyRoutes } from './api-keys';
import type { HttpDeps } from './deps';
import { authenticate, requireAdmin, scopeToTenant } from './auth';
import { rejectNulBytes } from './nul-bytes';
import { EventSessions } from './event-sessions';
import { ErrorBody, registerErrorHandler } from './errors';
import { STREAM_PROTOCOL, eventStreamRoutes } from './events-stream';
import { consoleRoutes } from './console';
import { extensionCallRoutes } from './extension-calls';
import { extensionRoutes } from './extensions';
import { groupRoutes } from './groups';
import { healthRoutes } from './health';
import { historyRoutes } from './history';
import { huntGroupRoutes } from './hunt-groups';
import { parkedCallRoutes } from './parked-calls';
import { errors } from './schemas';
import { slotImportRoutes } from './slot-import';
import { slotRoutes } from './slots';
import { tenantItemRoutes, tenantRoutes } from './tenants';
import { webhookRoutes } from './webhooks';

/**
 * Request bodies are validated strictly: no type coercion ("false" is not false, 1e3 is not
 * "1000", "" is not null). Query strings and path parameters are text by nature, so they are
 * coerced to the schema's types as usual (issue 14).
 */
function strictBodies() {
  const factory = AjvCompiler();
  return (externalSchemas: unknown, options: { customOptions: Record<string, unknown> }) => {
    const lenient = factory(externalSchemas as never, options as never);
    const strict = factory(externalSchemas as never, { ...options, customOptions: { ...options.customOptions, coerceTypes: false } } as never);
    return (route: { httpPart?: string }) => (route.httpPart === 'body' ? strict(route as never) : lenient(route as never));
  };
}

export type { HttpDeps } from './deps';

export const API_PREFIX = '/api/v1';

/**
 * The HTTP app: health, readiness, the API under /api/v1 (admin, call control, events,
 * history) and its OpenAPI document at /docs (JSON at /docs/json).
 */
export async function buildHttpApp(given: HttpDeps): Promise<FastifyInstance> {
  const deps = { ...given, sessions: given.sessions ?? new EventSessions() };
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Probes and API calls would flood the log; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Unknown fields are refused, not silently dropped; every failing field is named.
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
    schemaController: { compilersFactory: { buildValidator: strictBodies() as never } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // /docs, /docs/json and /metrics: open, or for system-wide keys only (operator's choice).
  const adminOnly = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    await authenticate(deps).call(app, request, reply);
    requireAdmin(request);
  };
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Call parking service', version: '1', description: 'Admin, call-control and event API of the call-parking service.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', ...(deps.publicDocs === false ? { uiHooks: { onRequest: adminOnly } } : {}) });
  // A browser offering subprotocols (the key travels as one) needs one chosen in the answer; never echo the key.
  await app.register(websocket, { options: { handleProtocols: (offered) => (offered.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false) } });
  app.addSchema(ErrorBody);
  registerErrorHandler(app);
  await app.register(healthRoutes(deps.health, deps.metrics, deps.publicMetrics === false ? adminOnly : undefined));
  if (deps.consoleDir) await app.register(consoleRoutes(deps.consoleDir));
  await app.register(
    async (api) => {
      // Every API route needs a key, and may fail validation or authentication. The event
      // stream is documented too (@fastify/websocket hides WebSocket routes from the docs).
      api.addHook('onRoute', (route) => {
        const response = { ...errors(400, 401), ...(route.schema?.response as object) };
        route.schema = { ...route.schema, security: [{ apiKey: [] }], response, ...(route.websocket ? { hide: false } : {}) };
      });
      if (deps.rateLimit) {
        await api.register(rateLimit, {
          max: deps.rateLimit.max,
          timeWindow: deps.rateLimit.windowMs,
          // Per key (its hash: the key itself is not kept), else per client address.
          keyGenerator: (request) => {
            const auth = request.headers.authorization ?? (request.query as { apiKey?: string } | undefined)?.apiKey;
            return auth ? `key:${createHash('sha256').update(String(auth)).digest('hex')}` : `ip:${request.ip}`;
          },
          errorResponseBuilder: (_request, context) =>
            new ParkingError('rate-limited', `too many requests: at most ${context.max} per ${context.after}`, { limit: context.max, retryAfter: context.after }),
        });
      }
      api.addHook('onRequest', authenticate(deps));
      api.addHook('preValidation', rejectNulBytes);
      await api.register(tenantRoutes(deps));
      await api.register(apiKeyRoutes(deps));
      await api.register(eventStreamRoutes(deps));
      await api.register(
        async (tenant) => {
          tenant.addHook('preHandler', scopeToTenant(deps.prisma));
          for (const routes of [
            tenantItemRoutes,
            extensionRoutes,
            extensionCallRoutes,
            slotRoutes,
            slotImportRoutes,
            groupRoutes,
            huntGroupRoutes,
            parkedCallRoutes,
            historyRoutes,
            webhookRoutes,
          ]) {
            await tenant.register(routes(deps));
          }
        },
        { prefix: '/tenants/:tenantId' },
      );
    },
    { prefix: API_PREFIX },
  );
  return app;
}
