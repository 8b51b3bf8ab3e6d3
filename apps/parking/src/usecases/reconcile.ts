import { placeFromKey } from '../domain/codes';
import type { ParkedCall } from '../domain/parked-call';
import type { StoredPark } from '../ports';
import { callerLeft } from './caller-left';
import { hangUpTogether } from './connect-call';
import { holdingBridgeId, type ServiceContext } from './context';
import { expectedLamps } from './lamps';
import { ensureHoldingBridge } from './park-call';
import { armRecall } from './recall-call';

export interface ReconcileReport {
  adopted: number;
  closed: number;
  lampsFixed: number;
}

/**
 * Rebuilds the live state after the ARI connection (re)opens (O5, B1): Asterisk says which
 * callers are still there, the database says what they were doing. Parked callers are
 * re-adopted with their stored deadlines (an overdue recall fires at once), parks whose
 * caller is gone are closed, and every lamp is set to what is true. Running it twice
 * changes nothing the second time.
 */
export async function reconcile(ctx: ServiceContext): Promise<ReconcileReport> {
  const [channels, bridges, stored, tenants, deviceStates] = await Promise.all([
    ctx.ari.listChannels(),
    ctx.ari.listBridges(),
    ctx.store.live(),
    ctx.configs.allTenants(),
    ctx.ari.listDeviceStates(),
  ]);
  const alive = new Set(channels.map((c) => c.id));
  const bridgeOf = new Map<string, { id: string; channelIds: string[] }>();
  for (const bridge of bridges) for (const id of bridge.channelIds) bridgeOf.set(id, bridge);

  // Holding bridges that Asterisk lost (it restarted) are made again on next use.
  const bridgeIds = new Set(bridges.map((b) => b.id));
  for (const id of ctx.holdingBridges.keys()) if (!bridgeIds.has(id)) ctx.holdingBridges.delete(id);
  // Holding bridges made by an earlier run are ours to use (their music is still on).
  for (const bridge of bridges) {
    if (bridge.type === 'holding' && bridge.id.startsWith('parking-') && !ctx.holdingBridges.has(bridge.id)) {
      ctx.holdingBridges.set(bridge.id, Promise.resolve());
    }
  }

  let closed = 0;
  for (const call of ctx.lots.all()) {
    if (!alive.has(call.callerChannelId)) {
      await callerLeft(ctx, call);
      closed++;
    }
  }

  let adopted = 0;
  const configs = new Map(tenants.map((t) => [t.settings.id, t]));
  for (const row of stored) {
    if (ctx.lots.get(row.id)) continue;
    const config = configs.get(row.tenantId);
    if (!alive.has(row.callerChannelId) || !config) {
      ctx.store.ended(asCall(row, ''), 'ABANDONED', { reason: 'the caller was gone when the service reconnected' });
      closed++;
      continue;
    }
    const bridge = bridgeOf.get(row.callerChannelId);
    if (bridge?.id === `connect-${row.id}` && bridge.channelIds.length === 2) {
      // The retrieval was completed before the restart: the park is over.
      ctx.store.ended(asCall(row, ''), 'RETRIEVED', { reason: 'connected before the service restarted' });
      hangUpTogether(ctx, bridge.id, bridge.channelIds);
      closed++;
      continue;
    }
    const place = placeFromKey(row.placeKey, config);
    const slot = place.kind === 'SLOT' ? config.slots.get(place.number) : undefined;
    const musicClass = slot?.musicClass ?? config.settings.musicClass;
    const call: ParkedCall = { ...asCall(row, holdingBridgeId(config.settings.slug, musicClass)), place, musicClass };
    ctx.lots.add(call);
    if (bridge?.id !== call.holdingBridgeId) {
      await ensureHoldingBridge(ctx, call.holdingBridgeId, musicClass);
      await ctx.ari.addToBridge(call.holdingBridgeId, [call.callerChannelId]);
    }
    // A ring-back that was out when the service stopped cannot be followed: end it, recall anew.
    for (const channel of channels) {
      if (channel.id.startsWith(`recall-${row.id}-`)) await ctx.ari.hangup(channel.id).catch(() => undefined);
    }
    armRecall(ctx, call);
    adopted++;
  }

  const actual = new Map(deviceStates.map((d) => [d.name, d.state]));
  let lampsFixed = 0;
  for (const config of tenants) {
    for (const [name, state] of expectedLamps(ctx, config)) {
      if (actual.get(`Stasis:${name}`) === state) continue;
      await ctx.ari.setDeviceState(name, state).catch((err) => ctx.log.warn({ err, name }, 'lamp not corrected'));
      lampsFixed++;
    }
  }
  ctx.log.info({ adopted, closed, lampsFixed, live: ctx.lots.all().length }, 'reconciled with Asterisk');
  return { adopted, closed, lampsFixed };
}

function asCall(row: StoredPark, holdingBridge: string): ParkedCall {
  return {
    ...row,
    place: { kind: 'EXTENSION', number: row.placeKey },
    state: 'PARKED',
    recallPhase: null,
    ringing: [],
    holdingBridgeId: holdingBridge,
    musicClass: '',
  };
}
