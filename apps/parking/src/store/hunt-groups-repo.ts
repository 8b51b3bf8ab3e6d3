import type { Prisma, PrismaClient } from '../../../../generated/prisma/client';
import type { Paging } from './paging';

/** A tenant's hunt groups, as the admin API manages them. */
export function huntGroupsRepo(prisma: PrismaClient) {
  const listWhere = (tenantId: string, name?: string) => ({ tenantId, name });
  return {
    count: (tenantId: string, name?: string) => prisma.huntGroup.count({ where: listWhere(tenantId, name) }),
    list: (tenantId: string, name: string | undefined, paging: Paging) =>
      prisma.huntGroup.findMany({ where: listWhere(tenantId, name), orderBy: { name: 'asc' }, ...paging }),
    find: (tenantId: string, id: string) => prisma.huntGroup.findFirst({ where: { id, tenantId } }),
    create: (tenantId: string, data: Omit<Prisma.HuntGroupUncheckedCreateInput, 'tenantId'>) => prisma.huntGroup.create({ data: { ...data, tenantId } }),
    update: (id: string, data: Prisma.HuntGroupUncheckedUpdateInput) => prisma.huntGroup.update({ where: { id }, data }),
    // Groups and the tenant that recall to it fall back to no hunt group (ON DELETE SET NULL).
    remove: (id: string) => prisma.huntGroup.delete({ where: { id } }),
  };
}
