import type { PrismaClient } from '../../generated/prisma/client';
import { hashPin } from '../../apps/parking/src/store/pin-hash';

export interface SeedOptions {
  slug?: string;
  tenant?: Record<string, unknown>;
  extensions?: string[];
  slots?: Array<{ number: string; parkAllow?: string[]; retrieveAllow?: string[]; pin?: string; musicClass?: string; recallTimerSec?: number }>;
  /** Park groups: members and destinations (call park extensions) by number, in order. */
  groups?: Array<{ name: string; members: string[]; destinations: string[]; useMembersAsDestinations?: boolean }>;
}

/**
 * A tenant as a PBX administrator would set it up: phones 101-103, 201-202, 333 and call
 * park extensions 7001-7003, unless told otherwise.
 */
export async function seedTenant(prisma: PrismaClient, opts: SeedOptions = {}) {
  const slug = opts.slug ?? 'acme';
  const tenant = await prisma.tenant.create({ data: { slug, name: slug.toUpperCase(), ...opts.tenant } });
  const numbers = opts.extensions ?? ['101', '102', '103', '201', '202', '333'];
  await prisma.extension.createMany({
    data: numbers.map((number) => ({ tenantId: tenant.id, number, name: `Phone ${number}`, endpoint: `PJSIP/${slug === 'acme' ? '' : `${slug}-`}${number}` })),
  });
  for (const slot of opts.slots ?? [{ number: '7001' }, { number: '7002' }, { number: '7003' }]) {
    await prisma.parkSlot.create({
      data: {
        tenantId: tenant.id,
        number: slot.number,
        parkAllow: slot.parkAllow ?? [],
        retrieveAllow: slot.retrieveAllow ?? [],
        pinHash: slot.pin ? await hashPin(slot.pin) : null,
        musicClass: slot.musicClass ?? null,
        recallTimerSec: slot.recallTimerSec ?? null,
      },
    });
  }
  const extensionId = Object.fromEntries((await prisma.extension.findMany({ where: { tenantId: tenant.id } })).map((e) => [e.number, e.id]));
  const slotId = Object.fromEntries((await prisma.parkSlot.findMany({ where: { tenantId: tenant.id } })).map((s) => [s.number, s.id]));
  for (const group of opts.groups ?? []) {
    await prisma.group.create({
      data: {
        tenantId: tenant.id,
        name: group.name,
        useMembersAsDestinations: group.useMembersAsDestinations ?? false,
        members: { create: group.members.map((n, position) => ({ extensionId: extensionId[n], position })) },
        destinations: { create: group.destinations.map((n, position) => ({ slotId: slotId[n], position })) },
      },
    });
  }
  return tenant;
}
