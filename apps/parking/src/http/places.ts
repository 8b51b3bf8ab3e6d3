import { ParkingError } from '../domain/errors';
import type { ParkingService } from '../service';
import { placesRepo, type PlacesDb as Db } from '../store/places-repo';

/**
 * Numbers users dial: a call park extension and an extension of the same tenant never share
 * a number (feature codes start with * or #, so they never collide with either).
 */
export async function assertNumberFree(db: Db, tenantId: string, number: string, as: 'slot' | 'extension'): Promise<void> {
  const places = placesRepo(db);
  const other = as === 'slot' ? await places.extensionNumbered(tenantId, number) : await places.slotNumbered(tenantId, number);
  if (other) {
    const taken = as === 'slot' ? 'an extension' : 'a call park extension';
    throw new ParkingError('conflict', `${number} is already ${taken} of this tenant`, { field: 'number', number });
  }
}

/** Call park extensions per tenant are limited (Tenant.slotLimit, 100 by default). */
export async function assertSlotRoom(db: Db, tenantId: string, adding: number): Promise<void> {
  const { limit, count } = await placesRepo(db).slotRoom(tenantId);
  if (count + adding > limit) {
    throw new ParkingError('limit-reached', `this tenant may have at most ${limit} call park extensions (has ${count})`, {
      limit,
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
  const rows: Array<{ id: string; number: string }> = await placesRepo(db).numbered(tenantId, kind, numbers);
  const byNumber = new Map(rows.map((r) => [r.number, r]));
  const unknown = numbers.filter((n) => !byNumber.has(n));
  if (unknown.length > 0) throw invalid(field, `names unknown ${kind} numbers: ${unknown.join(', ')}`);
  return numbers.map((n) => byNumber.get(n)!);
}

/** A hunt group referenced by id must be the tenant's own. */
export async function assertHuntGroup(db: Db, tenantId: string, huntGroupId: string | null | undefined): Promise<void> {
  if (!huntGroupId) return;
  if (!(await placesRepo(db).huntGroupExists(tenantId, huntGroupId))) throw invalid('huntGroupId', 'is not a hunt group of this tenant');
}

/** A body-level validation error naming its field (400 validation, like the schema's own). */
export const invalid = (field: string, problem: string) => new ParkingError('validation', `${field} ${problem}`, { fields: [{ field, problem }] });
