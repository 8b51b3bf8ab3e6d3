import type { PrismaClient } from '../../../../generated/prisma/client';
import type { Paging } from './paging';

/** Groups by name, or those with an extension number among their members. */
export interface GroupFilter {
  name?: string;
  member?: string;
}

/** Members and destinations in their order, by number. */
const include = {
  members: { orderBy: { position: 'asc' }, select: { extension: { select: { number: true } } } },
  destinations: { orderBy: { position: 'asc' }, select: { slot: { select: { number: true } } } },
} as const;

/**
 * A tenant's park groups, as the admin API manages them. Writes take the scalar fields plus
 * nested writes of the member and destination lists, as the routes build them after checking.
 */
export function groupsRepo(prisma: PrismaClient) {
  const whereOf = (tenantId: string, f: GroupFilter) => ({ tenantId, name: f.name, members: f.member ? { some: { extension: { number: f.member } } } : undefined });
  return {
    count: (tenantId: string, filter: GroupFilter) => prisma.group.count({ where: whereOf(tenantId, filter) }),
    list: (tenantId: string, filter: GroupFilter, paging: Paging) =>
      prisma.group.findMany({ where: whereOf(tenantId, filter), include, orderBy: { name: 'asc' }, ...paging }),
    find: (tenantId: string, id: string) => prisma.group.findFirst({ where: { id, tenantId }, include }),
    create: (tenantId: string, data: Record<string, unknown>) => prisma.group.create({ data: { ...(data as { name: string }), tenantId }, include }),
    update: (id: string, data: Record<string, unknown>) => prisma.group.update({ where: { id }, data, include }),
    remove: (id: string) => prisma.group.delete({ where: { id } }),
    /** The first of these extensions already seated in another group than `groupId` (any group when null). */
    seatedElsewhere: (extensionIds: string[], groupId: string | null) =>
      prisma.groupMember.findFirst({
        where: { extensionId: { in: extensionIds }, groupId: groupId ? { not: groupId } : undefined },
        select: { extension: { select: { number: true } }, group: { select: { name: true } } },
      }),
  };
}
