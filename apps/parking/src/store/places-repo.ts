import type { PrismaClient } from '../../../../generated/prisma/client';

/** The client, or a transaction of it (the checks run inside the tenant lock). */
export type PlacesDb = Pick<PrismaClient, 'extension' | 'parkSlot' | 'tenant' | 'huntGroup'>;

/** The lookups behind the admin API's checks of numbers, limits and references (http/places.ts). */
export function placesRepo(db: PlacesDb) {
  const key = (tenantId: string, number: string) => ({ where: { tenantId_number: { tenantId, number } }, select: { id: true } });
  return {
    extensionNumbered: async (tenantId: string, number: string) => (await db.extension.findUnique(key(tenantId, number))) !== null,
    slotNumbered: async (tenantId: string, number: string) => (await db.parkSlot.findUnique(key(tenantId, number))) !== null,
    /** The tenant's call park extension limit and how many it has. */
    slotRoom: async (tenantId: string) => {
      const [tenant, count] = await Promise.all([
        db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { slotLimit: true } }),
        db.parkSlot.count({ where: { tenantId } }),
      ]);
      return { limit: tenant.slotLimit, count };
    },
    /** Ids of the tenant's extensions or slots with these numbers (those that exist). */
    numbered: (tenantId: string, kind: 'extension' | 'slot', numbers: string[]) => {
      const where = { tenantId, number: { in: numbers } };
      const select = { id: true, number: true } as const;
      return kind === 'extension' ? db.extension.findMany({ where, select }) : db.parkSlot.findMany({ where, select });
    },
    huntGroupExists: async (tenantId: string, id: string) => (await db.huntGroup.findFirst({ where: { id, tenantId }, select: { id: true } })) !== null,
  };
}
