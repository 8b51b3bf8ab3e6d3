import type { Prisma, PrismaClient } from '../../../../generated/prisma/client';
import type { Paging } from './paging';

type WebhookData = Omit<Prisma.WebhookUncheckedCreateInput, 'tenantId' | 'secret'>;

/** A tenant's webhooks and their delivery logs, as the admin API manages them. */
export function webhooksRepo(prisma: PrismaClient) {
  const listWhere = (tenantId: string, enabled?: boolean) => ({ tenantId, enabled });
  return {
    count: (tenantId: string, enabled?: boolean) => prisma.webhook.count({ where: listWhere(tenantId, enabled) }),
    list: (tenantId: string, enabled: boolean | undefined, paging: Paging) =>
      prisma.webhook.findMany({ where: listWhere(tenantId, enabled), orderBy: { createdAt: 'asc' }, ...paging }),
    find: (tenantId: string, id: string) => prisma.webhook.findFirst({ where: { id, tenantId } }),
    exists: async (tenantId: string, id: string) => (await prisma.webhook.findFirst({ where: { id, tenantId }, select: { id: true } })) !== null,
    create: (tenantId: string, secret: string, data: WebhookData) => prisma.webhook.create({ data: { secret, ...data, tenantId } }),
    update: (id: string, data: Prisma.WebhookUncheckedUpdateInput) => prisma.webhook.update({ where: { id }, data }),
    remove: (id: string) => prisma.webhook.delete({ where: { id } }),
    /** The webhook with its new secret; null when the tenant has no such webhook. */
    rotateSecret: async (tenantId: string, id: string, secret: string) => {
      const { count } = await prisma.webhook.updateMany({ where: { id, tenantId }, data: { secret } });
      return count === 0 ? null : prisma.webhook.findUniqueOrThrow({ where: { id } });
    },
    countDeliveries: (webhookId: string, status?: string) => prisma.webhookDelivery.count({ where: { webhookId, status } }),
    /** Newest first. */
    deliveries: (webhookId: string, status: string | undefined, paging: Paging) =>
      prisma.webhookDelivery.findMany({ where: { webhookId, status }, orderBy: { id: 'desc' }, ...paging }),
  };
}

/** What the delivery queue records of one attempt. */
export type DeliveryUpdate = Prisma.WebhookDeliveryUncheckedUpdateInput;

/** The webhook delivery queue (http/webhook-sender.ts): one row per event and subscribed webhook. */
export function deliveryQueue(prisma: PrismaClient) {
  return {
    /** The tenant's enabled webhooks that want this event type (an empty list: every type). */
    subscribers: (tenantId: string, eventType: string) =>
      prisma.webhook.findMany({
        where: { tenantId, enabled: true, OR: [{ events: { isEmpty: true } }, { events: { has: eventType } }] },
        select: { id: true },
      }),
    enqueue: (rows: Array<{ webhookId: string; eventId: string; eventType: string; payload: object; nextAttemptAt: Date }>) =>
      prisma.webhookDelivery.createMany({ data: rows }),
    /** Pending deliveries due by `now` to enabled webhooks, oldest first. */
    due: (now: Date, take: number) =>
      prisma.webhookDelivery.findMany({
        where: { status: 'pending', nextAttemptAt: { lte: now }, webhook: { enabled: true } },
        include: { webhook: { select: { url: true, secret: true } } },
        orderBy: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
        take,
      }),
    recordAttempt: (id: bigint, data: DeliveryUpdate) => prisma.webhookDelivery.update({ where: { id }, data }),
  };
}
