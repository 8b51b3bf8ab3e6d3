import type { Prisma } from '../../../../generated/prisma/client';
import type { Paging } from './paging';
import type { Tx } from './tenant-lock';

/** Extensions by number, endpoint, or a part of their name (case-insensitive). */
export interface ExtensionFilter {
  number?: string;
  endpoint?: string;
  name?: string;
}

/** An extension's group, if it has a seat in one. */
const include = { groupSeat: { select: { groupId: true } } } as const;

/** A tenant's extensions, on the client or inside the tenant lock's transaction (`db`). */
export function extensionsRepo(db: Tx) {
  const whereOf = (tenantId: string, f: ExtensionFilter) => ({
    tenantId,
    number: f.number,
    endpoint: f.endpoint,
    name: f.name ? { contains: f.name, mode: 'insensitive' as const } : undefined,
  });
  return {
    count: (tenantId: string, filter: ExtensionFilter) => db.extension.count({ where: whereOf(tenantId, filter) }),
    list: (tenantId: string, filter: ExtensionFilter, paging: Paging) =>
      db.extension.findMany({ where: whereOf(tenantId, filter), include, orderBy: { number: 'asc' }, ...paging }),
    find: (tenantId: string, id: string) => db.extension.findFirst({ where: { id, tenantId }, include }),
    create: (tenantId: string, data: Omit<Prisma.ExtensionUncheckedCreateInput, 'tenantId'>) => db.extension.create({ data: { ...data, tenantId }, include }),
    update: (id: string, data: Prisma.ExtensionUncheckedUpdateInput) => db.extension.update({ where: { id }, data, include }),
    remove: (id: string) => db.extension.delete({ where: { id } }),
    /** The endpoints the system admin allowed the tenant. */
    endpointPatterns: async (tenantId: string) =>
      (await db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { endpointPatterns: true } })).endpointPatterns,
    /** The extension (of any tenant) that uses an endpoint. */
    ownerOfEndpoint: (endpoint: string) => db.extension.findUnique({ where: { endpoint }, select: { id: true, tenantId: true, number: true } }),
    /** What names an extension number: hunt groups, slots' allow lists, the tenant's fallback. */
    references: async (tenantId: string, number: string) => {
      const [huntGroups, slots, tenant] = await Promise.all([
        db.huntGroup.findMany({ where: { tenantId, extensions: { has: number } }, select: { name: true } }),
        db.parkSlot.findMany({ where: { tenantId, OR: [{ parkAllow: { has: number } }, { retrieveAllow: { has: number } }] }, select: { number: true } }),
        db.tenant.findFirst({ where: { id: tenantId, fallbackExtension: number }, select: { id: true } }),
      ]);
      return { huntGroups, slots, isTenantFallback: tenant !== null };
    },
  };
}
