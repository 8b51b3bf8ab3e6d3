import type { PrismaClient } from '../../../../generated/prisma/client';
import { ParkingError } from '../domain/errors';
import type { ParkingService } from '../service';

type Db = Pick<PrismaClient, 'extension' | 'parkSlot' | 'tenant'>;
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * Runs `fn` in a transaction holding the tenant's advisory lock: the checks of numbers and
 * limits and the writes they guard happen as one, so concurrent requests cannot race past them
 * (issue 14: 200 parallel creates against slotLimit 5, slot 888 against extension 888).
 */
export async function withTenantLock<T>(prisma: PrismaClient, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`parking-places:${tenantId}`}, 0))`;
      return fn(tx);
    },
    // Waiting for the lock is queueing, not failure: allow it time under a burst.
    { maxWait: 30_000, timeout: 60_000 },
  );
}

/**
 * Numbers users dial: a call park extension and an extension of the same tenant never share
 * a number (feature codes start with * or #, so they never collide with either).
 */
export async function assertNumberFree(db: Db, tenantId: string, number: string, as: 'slot' | 'extension'): Promise<void> {
  const other =
    as === 'slot'
      ? await db.extension.findUnique({ where: { tenantId_number: { tenantId, number } }, select: { id: true } })
      : await db.parkSlot.findUnique({ where: { tenantId_number: { tenantId, number } }, select: { id: true } });
  if (other) {
    const taken = as === 'slot' ? 'an extension' : 'a call park extension';
    throw new ParkingError('conflict', `${number} is already ${taken} of this tenant`, { field: 'number', number });
  }
}

/** Call park extensions per tenant are limited (Tenant.slotLimit, 100 by default). */
export async function assertSlotRoom(db: Db, tenantId: string, adding: number): Promise<void> {
  const [tenant, count] = await Promise.all([
    db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { slotLimit: true } }),
    db.parkSlot.count({ where: { tenantId } }),
  ]);
  if (count + adding > tenant.slotLimit) {
    throw new ParkingError('limit-reached', `this tenant may have at most ${tenant.slotLimit} call park extensions (has ${count})`, {
      limit: tenant.slotLimit,
      count,
      adding,
    });
  }
}

/** Refuses to change or delete a place while a call is parked there (409 place-in-use). */
export function assertNoCallAt(
  service: Pick<ParkingService, 'parked'>,
  tenantId: string,
  test: (call: { placeKey: string; groupId: string | null }) => boolean,
  what: string,
): void {
  const call = service.parked(tenantId).find(test);
  if (call) throw new ParkingError('place-in-use', `a call is parked at ${what}`, { parkedCallId: call.id, place: call.placeKey });
}

export const atNumber = (number: string) => (call: { placeKey: string }) => call.placeKey === number;

/** A slot or extension may change its number only while no call is parked on it, to a free number. */
export async function assertRenumberable(
  deps: { prisma: Db; service: Pick<ParkingService, 'parked'> },
  tenantId: string,
  current: string,
  next: string | undefined,
  as: 'slot' | 'extension',
): Promise<void> {
  if (next === undefined || next === current) return;
  assertNoCallAt(deps.service, tenantId, atNumber(current), `${as} ${current}`);
  await assertNumberFree(deps.prisma, tenantId, next, as);
}

/**
 * The rows of the given extension or slot numbers of a tenant, in the given order; unknown
 * numbers are a validation error on `field`.
 */
export async function existing(
  db: Db,
  tenantId: string,
  kind: 'extension' | 'slot',
  numbers: string[],
  field: string,
): Promise<Array<{ id: string; number: string }>> {
  const where = { tenantId, number: { in: numbers } };
  const select = { id: true, number: true } as const;
  const rows = kind === 'extension' ? await db.extension.findMany({ where, select }) : await db.parkSlot.findMany({ where, select });
  const byNumber = new Map(rows.map((r) => [r.number, r]));
  const unknown = numbers.filter((n) => !byNumber.has(n));
  if (unknown.length > 0) throw invalid(field, `names unknown ${kind} numbers: ${unknown.join(', ')}`);
  return numbers.map((n) => byNumber.get(n)!);
}

/** A hunt group referenced by id must be the tenant's own. */
export async function assertHuntGroup(db: Pick<PrismaClient, 'huntGroup'>, tenantId: string, huntGroupId: string | null | undefined): Promise<void> {
  if (!huntGroupId) return;
  const found = await db.huntGroup.findFirst({ where: { id: huntGroupId, tenantId }, select: { id: true } });
  if (!found) throw invalid('huntGroupId', 'is not a hunt group of this tenant');
}

/** A body-level validation error naming its field (400 validation, like the schema's own). */
export const invalid = (field: string, problem: string) => new ParkingError('validation', `${field} ${problem}`, { fields: [{ field, problem }] });
