import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiKeysRepo } from '../store/api-keys-repo';
import type { HttpDeps } from './deps';
import { assertTenantVisible, hashApiKey, newApiKey, notFound, requireAdmin, tenantFilter } from './auth';
import { DateTime, ListQuery, NoContent, Nullable, Page, Uuid, errors, pageOf } from './schemas';

/** An API key as listed: never the key itself, which is shown once, on creation. */
export const ApiKey = Type.Object({
  id: Uuid,
  name: Type.String(),
  tenantId: Nullable(Uuid),
  createdAt: DateTime,
  lastUsedAt: Nullable(DateTime),
  revokedAt: Nullable(DateTime),
});
const ApiKeyCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    tenantId: Nullable(Type.String({ format: 'uuid', description: 'the tenant the key may act on; null: system-wide (system-wide keys only)' })),
  },
  { additionalProperties: false },
);
const Query = ListQuery(Type.Object({ tenantId: Type.Optional(Uuid), includeRevoked: Type.Boolean({ default: false }) }));
const Params = Type.Object({ id: Uuid });
const tags = ['api keys'];

export const apiKeyRoutes =
  ({ prisma, now, sessions }: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    const keys = apiKeysRepo(prisma);
    app.get<{ Querystring: Static<typeof Query> }>(
      '/api-keys',
      { schema: { tags, summary: 'List API keys (a tenant key: its tenant’s)', querystring: Query, response: { 200: Page(ApiKey), ...errors(404) } } },
      async (request) => {
        const { includeRevoked } = request.query;
        const tenantId = await tenantFilter(prisma, request.principal, request.query.tenantId);
        const filter = { tenantId: tenantId ?? undefined, includeRevoked };
        return pageOf(request.query, keys.count(filter), (paging) => keys.list(filter, paging));
      },
    );
    app.post<{ Body: Static<typeof ApiKeyCreate> }>(
      '/api-keys',
      {
        schema: {
          tags,
          summary: 'Create an API key; the key is in this response only',
          body: ApiKeyCreate,
          response: { 201: Type.Composite([ApiKey, Type.Object({ key: Type.String() })]), ...errors(403, 404) },
        },
      },
      async (request, reply) => {
        const { tenantId, name } = request.body;
        if (tenantId === null) requireAdmin(request);
        else await assertTenantVisible(prisma, request.principal, tenantId);
        const key = newApiKey();
        const created = await keys.create({ name, tenantId, hash: hashApiKey(key) });
        return reply.status(201).send({ ...created, key });
      },
    );
    app.delete<{ Params: Static<typeof Params> }>(
      '/api-keys/:id',
      { schema: { tags, summary: 'Revoke an API key', params: Params, response: { 204: NoContent, ...errors(404) } } },
      async (request, reply) => {
        const { id } = request.params;
        const own = request.principal.tenantId;
        const row = await keys.find(id, own ?? undefined);
        if (!row) throw notFound('api key', id);
        if (!row.revokedAt) await keys.revoke(id, new Date(now()));
        sessions?.closeKey(id);
        return reply.status(204).send();
      },
    );
  };
