import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { webhooksRepo } from '../store/webhooks-repo';
import type { HttpDeps } from './deps';
import { notFound } from './auth';
import { resourceRoutes } from './crud';
import { EventType } from './events-stream';
import { invalid } from './places';
import { urlAllowed } from './webhook-address';
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
  url: Type.String({
    format: 'uri',
    pattern: '^https?://',
    maxLength: 2000,
    description: 'public http(s) URL; loopback, private and link-local addresses are refused unless the operator allows them',
  }),
  secret: Type.String({
    minLength: 16,
    maxLength: 200,
    pattern: '^[\\x21-\\x7e]+$',
    description: 'HMAC-SHA256 key of the X-Parking-Signature header (write-only; generated when left out, shown once)',
  }),
  events: Type.Array(EventType, { uniqueItems: true, description: 'event types delivered; empty: all' }),
  enabled: Type.Boolean(),
});

/** A tenant's webhook: events POSTed as JSON, signed (see webhook-sender.ts), retried. The secret is never read back. */
export const Webhook = Type.Composite([Type.Object({ id: Uuid }), Type.Omit(Fields, ['secret']), Timestamps]);
/** The answer to a create and to a secret rotation: the only times the secret is shown. */
const WebhookWithSecret = Type.Composite([Webhook, Type.Object({ secret: Type.String() })]);
const newSecret = () => randomBytes(24).toString('base64url');

function assertUrlAllowed(url: string | undefined, allowPrivate: boolean): void {
  if (url !== undefined && !urlAllowed(url, allowPrivate)) throw invalid('url', 'must not point to a loopback, private, link-local or unspecified address');
}

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

const crud = ({ prisma, configs, webhookAllowPrivateNetworks = false }: HttpDeps) => {
  const webhooks = webhooksRepo(prisma);
  return resourceRoutes(
    {
      path: 'webhooks',
      noun: 'webhook',
      tag: 'webhooks',
      item: Webhook,
      created: WebhookWithSecret,
      create: CreateBody(Fields, ['url']),
      patch: PatchBody(Fields),
      filters: Type.Object({ enabled: Type.Optional(Type.Boolean()) }),
      list: (tenantId, f, page) => pageOf(page, webhooks.count(tenantId, f.enabled), (paging) => webhooks.list(tenantId, f.enabled, paging)),
      get: (tenantId, id) => webhooks.find(tenantId, id),
      add: (tenantId, body) => {
        assertUrlAllowed(body.url, webhookAllowPrivateNetworks);
        return webhooks.create(tenantId, newSecret(), body);
      },
      update: (_tenantId, current, body) => {
        assertUrlAllowed(body.url, webhookAllowPrivateNetworks);
        return webhooks.update(current.id, body);
      },
      remove: async (_tenantId, current) => {
        await webhooks.remove(current.id);
      },
    },
    configs,
  );
};

/** Webhooks of a tenant, and each one's delivery log. */
export const webhookRoutes =
  (deps: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    const webhooks = webhooksRepo(deps.prisma);
    await app.register(crud(deps));
    app.post<{ Params: Static<typeof ItemParams> }>(
      '/webhooks/:id/rotate-secret',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Replace the signing secret with a new random one; the answer is the only time it is shown',
          params: ItemParams,
          response: { 200: WebhookWithSecret, ...errors(404) },
        },
      },
      async (request) => {
        const { tenantId, id } = request.params;
        const rotated = await webhooks.rotateSecret(tenantId, id, newSecret());
        if (!rotated) throw notFound('webhook', id);
        return rotated;
      },
    );
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
        if (!(await webhooks.exists(tenantId, id))) throw notFound('webhook', id);
        return pageOf(q, webhooks.countDeliveries(id, q.status), async (paging) =>
          (await webhooks.deliveries(id, q.status, paging)).map((r) => ({
            ...r,
            id: r.id.toString(),
            payload: r.payload as Record<string, unknown>,
          })),
        );
      },
    );
  };
