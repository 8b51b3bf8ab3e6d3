import type { Prisma, PrismaClient } from '../../../../generated/prisma/client';
import type { Paging } from './paging';

/** Which tenants a listing shows: one tenant (a tenant key), and optional slug / name filters. */
export interface TenantFilter {
  id?: string;
  slug?: string;
  /** Case-insensitive "contains". */
  name?: string;
}

/** Tenant rows for the admin API: the HTTP routes validate and authorise, this reads and writes. */
export function tenantsRepo(prisma: PrismaClient) {
  const whereOf = (f: TenantFilter) => ({ id: f.id, slug: f.slug, name: f.name ? { contains: f.name, mode: 'insensitive' as const } : undefined });
  return {
    count: (filter: TenantFilter) => prisma.tenant.count({ where: whereOf(filter) }),
    list: (filter: TenantFilter, paging: Paging) => prisma.tenant.findMany({ where: whereOf(filter), orderBy: { slug: 'asc' }, ...paging }),
    find: (id: string) => prisma.tenant.findUnique({ where: { id } }),
    /** The dialplan contexts the system admin allowed the tenant's destinations to point into. */
    dialplanContexts: async (id: string) =>
      (await prisma.tenant.findUniqueOrThrow({ where: { id }, select: { dialplanContexts: true } })).dialplanContexts,
    exists: async (id: string) => (await prisma.tenant.findUnique({ where: { id }, select: { id: true } })) !== null,
    create: (data: Prisma.TenantUncheckedCreateInput) => prisma.tenant.create({ data }),
    update: (id: string, data: Prisma.TenantUncheckedUpdateInput) => prisma.tenant.update({ where: { id }, data }),
    remove: (id: string) => prisma.tenant.delete({ where: { id } }),
  };
}
