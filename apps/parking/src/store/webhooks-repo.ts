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
