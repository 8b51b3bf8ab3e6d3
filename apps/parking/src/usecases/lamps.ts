import type { ParkedCall } from '../domain/parked-call';
import type { TenantConfig } from '../domain/tenant';
import type { ServiceContext } from './context';
import { lampName } from '../domain/lamp-names';

/**
 * Sets the lamps a change of `call` affects: its place (B1), the tenant's lot and its group
 * (B2). Lot and group lamps are only written when they flip, to spare ARI requests.
 */
export async function updateLamps(ctx: ServiceContext, config: TenantConfig, call: ParkedCall, parked: boolean): Promise<void> {
  const slug = config.settings.slug;
  const state = parked ? 'INUSE' : 'NOT_INUSE';
  const writes = [ctx.ari.setDeviceState(lampName.place(slug, call.placeKey), state)];
  if (!ctx.lots.anyOther(call)) writes.push(ctx.ari.setDeviceState(lampName.lot(slug), state));
  const group = call.groupId ? config.groups.get(call.groupId) : undefined;
  if (group && !ctx.lots.anyOther(call, (c) => c.groupId === group.id)) {
    writes.push(ctx.ari.setDeviceState(lampName.group(slug, group.name), state));
  }
  const results = await Promise.allSettled(writes);
  for (const r of results) if (r.status === 'rejected') ctx.log.warn({ err: r.reason, place: call.placeKey }, 'lamp update failed');
}

/** Every lamp of a tenant as reality says, after a restart or reconnection (B1). */
export function expectedLamps(ctx: ServiceContext, config: TenantConfig): Map<string, 'INUSE' | 'NOT_INUSE'> {
  const slug = config.settings.slug;
  const lamps = new Map<string, 'INUSE' | 'NOT_INUSE'>();
  for (const number of config.slotOrder) lamps.set(lampName.place(slug, number), 'NOT_INUSE');
  for (const group of config.groups.values()) lamps.set(lampName.group(slug, group.name), 'NOT_INUSE');
  lamps.set(lampName.lot(slug), 'NOT_INUSE');
  for (const call of ctx.lots.all(config.settings.id)) {
    lamps.set(lampName.place(slug, call.placeKey), 'INUSE');
    lamps.set(lampName.lot(slug), 'INUSE');
    const group = call.groupId ? config.groups.get(call.groupId) : undefined;
    if (group) lamps.set(lampName.group(slug, group.name), 'INUSE');
  }
  return lamps;
}

/**
 * Group lamps under the names of versions before issue 14 (park-<slug>-group-<name>): no
 * hint points at them any more, but phones may still show them lit. Reconciliation switches
 * off those Asterisk still holds as lit.
 */
export function legacyLamps(config: TenantConfig): string[] {
  const current = new Set([...config.groups.values()].map((g) => lampName.group(config.settings.slug, g.name)));
  return [...config.groups.values()].map((g) => lampName.legacyGroup(config.settings.slug, g.name)).filter((name) => !current.has(name));
}
