import type { PrismaClient } from '../../../../generated/prisma/client';
import type { Paging } from './paging';

/** Keys of one tenant (or all, without tenantId); revoked ones only when asked for. */
export interface ApiKeyFilter {
  tenantId?: string;
  includeRevoked: boolean;
}

/** What the API shows of a key: never its hash. */
const select = { id: true, name: true, tenantId: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

/** API keys: listed, created and revoked by the admin API, looked up by hash on every request. */
export function apiKeysRepo(prisma: PrismaClient) {
  const whereOf = (f: ApiKeyFilter) => ({ tenantId: f.tenantId, revokedAt: f.includeRevoked ? undefined : null });
  return {
    count: (filter: ApiKeyFilter) => prisma.apiKey.count({ where: whereOf(filter) }),
    list: (filter: ApiKeyFilter, paging: Paging) => prisma.apiKey.findMany({ where: whereOf(filter), select, orderBy: { createdAt: 'asc' }, ...paging }),
    create: (data: { name: string; tenantId: string | null; hash: string }) => prisma.apiKey.create({ data, select }),
    /** A key by id, within one tenant's keys when `tenantId` is given. */
    find: (id: string, tenantId?: string) => prisma.apiKey.findFirst({ where: { id, tenantId }, select }),
    revoke: (id: string, at: Date) => prisma.apiKey.update({ where: { id }, data: { revokedAt: at } }),
    byHash: (hash: string) => prisma.apiKey.findUnique({ where: { hash } }),
    markUsed: (id: string, at: Date) => prisma.apiKey.update({ where: { id }, data: { lastUsedAt: at } }),
  };
}
