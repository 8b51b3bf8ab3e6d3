import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { HttpDeps } from './app';
import { notFound } from './auth';
import { resourceRoutes } from './crud';
import { EventType } from './events-stream';
import {
  CreateBody,
  DateTime,
  ItemParams,
  ListQuery,
  Nullable,
  Page,
  PatchBody,
  StringEnum,
  Timestamps,
  Uuid,
  errors,
  pageOf,
} from './schemas';

const Fields = Type.Object({
  url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
  secret: Type.String({ minLength: 16, maxLength: 200, description: 'HMAC-SHA256 key of the X-Parking-Signature header; generated when left out' }),
  events: Type.Array(EventType, { uniqueItems: true, description: 'event types delivered; empty: all' }),
  enabled: Type.Boolean(),
});

/** A tenant's webhook: events POSTed as JSON, signed (see webhook-sender.ts), retried. */
export const Webhook = Type.Composite([Type.Object({ id: Uuid }), Fields, Timestamps]);

const DeliveryStatus = StringEnum(['pending', 'delivered', 'failed'] as const);
export const WebhookDelivery = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  status: DeliveryStatus,
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  nextAttemptAt: Nullable(DateTime),
  deliveredAt: Nullable(DateTime),
  createdAt: DateTime,
  payload: Type.Record(Type.String(), Type.Unknown()),
});
const DeliveryQuery = ListQuery(Type.Object({ status: Type.Optional(DeliveryStatus) }));

const crud = ({ prisma, configs }: HttpDeps) =>
  resourceRoutes(
    {
      path: 'webhooks',
      noun: 'webhook',
      tag: 'webhooks',
      item: Webhook,
      create: CreateBody(Fields, ['url']),
      patch: PatchBody(Fields),
      filters: Type.Object({ enabled: Type.Optional(Type.Boolean()) }),
      list: (tenantId, f, page) => {
        const where = { tenantId, enabled: f.enabled };
        return pageOf(page, prisma.webhook.count({ where }), (paging) => prisma.webhook.findMany({ where, orderBy: { createdAt: 'asc' }, ...paging }));
      },
      get: (tenantId, id) => prisma.webhook.findFirst({ where: { id, tenantId } }),
      add: (tenantId, body) => prisma.webhook.create({ data: { secret: randomBytes(24).toString('base64url'), ...body, tenantId } }),
      update: (_tenantId, current, body) => prisma.webhook.update({ where: { id: current.id }, data: body }),
      remove: async (_tenantId, current) => {
        await prisma.webhook.delete({ where: { id: current.id } });
      },
    },
    configs,
  );

/** Webhooks of a tenant, and each one's delivery log. */
export const webhookRoutes =
  (deps: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    await app.register(crud(deps));
    app.get<{ Params: Static<typeof ItemParams>; Querystring: Static<typeof DeliveryQuery> }>(
      '/webhooks/:id/deliveries',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Delivery log of a webhook, newest first',
          params: ItemParams,
          querystring: DeliveryQuery,
          response: { 200: Page(WebhookDelivery), ...errors(404) },
        },
      },
      async (request) => {
        const { tenantId, id } = request.params;
        const q = request.query;
        if (!(await deps.prisma.webhook.findFirst({ where: { id, tenantId }, select: { id: true } }))) throw notFound('webhook', id);
        const where = { webhookId: id, status: q.status };
        return pageOf(q, deps.prisma.webhookDelivery.count({ where }), async (paging) =>
          (await deps.prisma.webhookDelivery.findMany({ where, orderBy: { id: 'desc' }, ...paging })).map((r) => ({
            ...r,
            id: r.id.toString(),
            payload: r.payload as Record<string, unknown>,
          })),
        );
      },
    );
  };
