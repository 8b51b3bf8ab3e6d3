import type { Prisma } from '../../../../generated/prisma/client';
import type { Paging } from './paging';
import type { Tx } from './tenant-lock';

/** Slots by number, or a part of their name (case-insensitive). */
export interface SlotFilter {
  number?: string;
  name?: string;
}

/** A tenant's call park extensions ("slots"), on the client or inside the tenant lock's transaction (`db`). */
export function slotsRepo(db: Tx) {
  const whereOf = (tenantId: string, f: SlotFilter) => ({ tenantId, number: f.number, name: f.name ? { contains: f.name, mode: 'insensitive' as const } : undefined });
  return {
    count: (tenantId: string, filter: SlotFilter) => db.parkSlot.count({ where: whereOf(tenantId, filter) }),
    list: (tenantId: string, filter: SlotFilter, paging: Paging) => db.parkSlot.findMany({ where: whereOf(tenantId, filter), orderBy: { number: 'asc' }, ...paging }),
    find: (tenantId: string, id: string) => db.parkSlot.findFirst({ where: { id, tenantId } }),
    create: (data: Prisma.ParkSlotUncheckedCreateInput) => db.parkSlot.create({ data }),
    /** All or nothing (one statement), for the CSV import. */
    createMany: (data: Prisma.ParkSlotUncheckedCreateInput[]) => db.parkSlot.createMany({ data }),
    update: (id: string, data: Prisma.ParkSlotUncheckedUpdateInput) => db.parkSlot.update({ where: { id }, data }),
    remove: (id: string) => db.parkSlot.delete({ where: { id } }),
  };
}
