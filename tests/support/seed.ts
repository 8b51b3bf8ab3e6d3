import type { PrismaClient } from '../../generated/prisma/client';
import { hashPin } from '../../apps/parking/src/store/pin-hash';

export interface SeedOptions {
  slug?: string;
  tenant?: Record<string, unknown>;
  extensions?: string[];
  slots?: Array<{ number: string; parkAllow?: string[]; retrieveAllow?: string[]; pin?: string; musicClass?: string; recallTimerSec?: number }>;
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
  return tenant;
}
