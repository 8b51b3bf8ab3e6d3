import { Type, type Static } from '@sinclair/typebox';
import { PIN_MAX_DIGITS } from '../domain/access';
import { hashPin } from '../store/pin-hash';
import type { HttpDeps } from './deps';
import { resourceRoutes } from './crud';
import { assertNoCallAt, assertNumberFree, assertRenumberable, atNumber, assertSlotRoom } from './places';
import { slotsRepo } from '../store/slots-repo';
import { withTenantLock } from '../store/tenant-lock';
import { CreateBody, DigitList, Digits, MusicClass, Name, Nullable, PatchBody, Seconds, Timestamps, Uuid, pageOf } from './schemas';

const Fields = Type.Object({
  number: Digits,
  name: Name,
  musicClass: Nullable(MusicClass),
  recallTimerSec: Nullable(Seconds(86_400)),
  parkAllow: DigitList('extensions allowed to park here; empty: everyone'),
  retrieveAllow: DigitList('extensions allowed to retrieve without a PIN; empty: everyone'),
  /** Write-only: stored hashed, never returned (see hasPin). */
  pin: Nullable(Type.String({ pattern: `^[0-9]{1,${PIN_MAX_DIGITS}}$`, description: 'retrieval PIN (write-only); null removes it' })),
});

/** A call park extension ("slot"). */
export const Slot = Type.Composite([Type.Object({ id: Uuid }), Type.Omit(Fields, ['pin']), Type.Object({ hasPin: Type.Boolean() }), Timestamps]);
export const SlotCreate = CreateBody(Fields, ['number']);
export type SlotCreate = Static<typeof SlotCreate>;

const toSlot = <T extends { pinHash: string | null }>({ pinHash, ...row }: T) => ({ ...row, hasPin: pinHash !== null });

/** The columns to write for a slot body: the PIN becomes its hash, with a salt of its own (never shared between slots). */
export async function slotData<T extends Partial<SlotCreate>>({ pin, ...rest }: T) {
  if (pin === undefined) return rest;
  if (pin === null) return { ...rest, pinHash: null };
  return { ...rest, pinHash: await hashPin(pin) };
}

export const slotRoutes = ({ prisma, configs, service }: HttpDeps) => {
  const slots = slotsRepo(prisma);
  return resourceRoutes(
    {
      path: 'slots',
      noun: 'slot',
      tag: 'slots',
      item: Slot,
      create: SlotCreate,
      patch: PatchBody(Fields),
      filters: Type.Object({ number: Type.Optional(Digits), name: Type.Optional(Type.String({ description: 'contains' })) }),
      async list(tenantId, f, page) {
        return pageOf(page, slots.count(tenantId, f), async (paging) => (await slots.list(tenantId, f, paging)).map(toSlot));
      },
      get: async (tenantId, id) => {
        const row = await slots.find(tenantId, id);
        return row && toSlot(row);
      },
      async add(tenantId, body) {
        const data = { ...(await slotData(body)), tenantId }; // hashed before taking the lock
        return withTenantLock(prisma, tenantId, async (tx) => {
          await assertSlotRoom(tx, tenantId, 1);
          await assertNumberFree(tx, tenantId, body.number, 'slot');
          return toSlot(await slotsRepo(tx).create(data));
        });
      },
      async update(tenantId, current, body) {
        const data = await slotData(body);
        return withTenantLock(prisma, tenantId, async (tx) => {
          await assertRenumberable({ prisma: tx, service }, tenantId, current.number, body.number, 'slot');
          return toSlot(await slotsRepo(tx).update(current.id, data));
        });
      },
      async remove(tenantId, current) {
        assertNoCallAt(service, tenantId, atNumber(current.number), `slot ${current.number}`);
        await slots.remove(current.id);
      },
    },
    configs,
  );
};
