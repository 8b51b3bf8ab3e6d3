import { allocatePlace } from '../domain/allocate';
import { placeFromKey } from '../domain/codes';
import { isParkingError } from '../domain/errors';
import type { TenantConfig } from '../domain/tenant';
import type { ParkedCall } from '../domain/parked-call';
import type { ChannelSnapshot, StoredPark } from '../ports';
import { callerLeft } from './caller-left';
import { connectedSideLeft, watchConnectedCall } from './connected-calls';
import { endpointOfChannelName } from '../domain/endpoints';
import type { ServiceContext } from './context';
import { ensureHoldingBridge, holdingBridgeId } from './holding-bridge';
import { FALLBACK_PARK } from './fallback-park';
import { expectedLamps, legacyLamps } from './lamps';
import { adoptParked } from './park-call';
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
  // What this process knew before asking: calls parked and channels handled after the lists
  // were taken are not in them, and are not ours to judge here.
  const knownCalls = new Set(ctx.lots.all().map((c) => c.id));
  const handledBefore = [...ctx.handled];
  const leftMeanwhile = new Set<string>();
  ctx.leftDuringReconcile = leftMeanwhile;
  try {
    return await reconcileWith(ctx, knownCalls, handledBefore, leftMeanwhile);
  } finally {
    if (ctx.leftDuringReconcile === leftMeanwhile) ctx.leftDuringReconcile = null;
  }
}

async function reconcileWith(ctx: ServiceContext, knownCalls: Set<string>, handledBefore: string[], leftMeanwhile: Set<string>): Promise<ReconcileReport> {
  const [channels, bridges, stored, tenants, deviceStates, ours] = await Promise.all([
    ctx.ari.listChannels(),
    ctx.ari.listBridges(),
    ctx.store.live(),
    ctx.configs.allTenants(),
    ctx.ari.listDeviceStates(),
    ctx.ari.applicationChannelIds(),
  ]);
  const alive = new Set(channels.map((c) => c.id));
  // Names of the channels in our application that this process has not seen enter it (adopted).
  const inApp = new Set(ours);
  for (const channel of channels) if (inApp.has(channel.id) && !leftMeanwhile.has(channel.id) && !ctx.channelNames.has(channel.id)) ctx.channelNames.set(channel.id, channel.name);
  const bridgeOf = new Map<string, { id: string; type: string; channelIds: string[] }>();
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
    if (knownCalls.has(call.id) && !alive.has(call.callerChannelId)) {
      // Gone while we could not hear it: hung up in the gap, or Asterisk restarted.
      await callerLeft(ctx, call, 'LOST', 'the caller was gone when the service reconnected');
      closed++;
    }
  }

  let adopted = 0;
  const musicFor = new Map<string, string>();
  const configs = new Map(tenants.map((t) => [t.settings.id, t]));
  const rowBridges = new Set<string>();
  for (const row of stored) {
    if (ctx.lots.get(row.id) || knownCalls.has(row.id)) continue;
    rowBridges.add(`connect-${row.id}`);
    const config = configs.get(row.tenantId);
    if (!alive.has(row.callerChannelId) || !config) {
      ctx.store.ended(asCall(row, ''), 'LOST', { reason: 'the caller was gone when the service reconnected' });
      closed++;
      continue;
    }
    const bridge = bridgeOf.get(row.callerChannelId);
    if (bridge?.id === `connect-${row.id}`) {
      // The retrieval was completed before the restart: the park is over. If the other side
      // has hung up since, the caller is hung up, as it would have been then.
      ctx.store.ended(asCall(row, ''), 'RETRIEVED', { reason: 'connected before the service restarted' });
      if (bridge.channelIds.length >= 2) watchConnectedCall(ctx, bridge.id, bridge.channelIds);
      else await Promise.allSettled([ctx.ari.hangup(row.callerChannelId), ctx.ari.destroyBridge(bridge.id)]);
      closed++;
      continue;
    }
    const place = placeFromKey(row.placeKey, config);
    const slot = place.kind === 'SLOT' ? config.slots.get(place.number) : undefined;
    const musicClass = slot?.musicClass ?? config.settings.musicClass;
    const call: ParkedCall = { ...asCall(row, holdingBridgeId(config.settings.slug, musicClass)), place, musicClass };
    if (!ctx.lots.add(call)) {
      // A park that came in before this reconciliation took the place: the caller is parked
      // again on a free place (recoverUnrecorded, below), or by Asterisk if not in our lot.
      ctx.store.ended(asCall(row, ''), 'LOST', { reason: `place ${row.placeKey} was taken by a newer park while the service was away` });
      closed++;
      if (bridge?.type !== 'holding' || !bridge.id.startsWith('parking-')) {
        await ctx.ari.continueInDialplan(row.callerChannelId, FALLBACK_PARK.context, FALLBACK_PARK.extension, FALLBACK_PARK.priority).catch(() => undefined);
      }
      continue;
    }
    if (bridge?.id !== call.holdingBridgeId) {
      try {
        await ensureHoldingBridge(ctx, call.holdingBridgeId);
        await ctx.ari.addToBridge(call.holdingBridgeId, [call.callerChannelId]);
      } catch (err) {
        if (!isParkingError(err, 'call-gone')) throw err;
        await callerLeft(ctx, call, 'ABANDONED', 'the caller hung up while the service was reconciling');
        continue;
      }
    }
    musicFor.set(call.holdingBridgeId, musicClass);
    // A ring-back that was out when the service stopped cannot be followed: end it, recall anew.
    for (const channel of channels) {
      if (!channel.id.startsWith(`recall-${row.id}-`)) continue;
      await ctx.ari.hangup(channel.id).catch(() => undefined);
      call.recallAt = Math.min(call.recallAt ?? Infinity, ctx.clock.now());
    }
    armRecall(ctx, call);
    adopted++;
  }

  adopted += await recoverUnrecorded(ctx, tenants, bridges, channels);
  await endConversations(ctx, bridges, alive, handledBefore, rowBridges);
  // A caller who hung up after the channel list was taken, before being adopted from it: the
  // StasisEnd found no park to end then. Once adopted, StasisEnd ends the park as usual.
  for (const call of ctx.lots.all()) {
    if (leftMeanwhile.has(call.callerChannelId)) await callerLeft(ctx, call, 'ABANDONED', 'the caller hung up while the service was reconciling');
  }

  // Music may have left an adopted bridge (when it emptied once): start it again, idempotently.
  for (const [bridgeId, musicClass] of musicFor) await ctx.ari.startBridgeMusic(bridgeId, musicClass).catch(() => undefined);
  await settleOrphans(ctx, channels, ours, bridgeOf);

  const actual = new Map(deviceStates.map((d) => [d.name, d.state]));
  let lampsFixed = 0;
  for (const config of tenants) {
    for (const [name, state] of expectedLamps(ctx, config)) {
      if (actual.get(`Stasis:${name}`) === state) continue;
      await ctx.ari.setDeviceState(name, state).catch((err) => ctx.log.warn({ err, name }, 'lamp not corrected'));
      lampsFixed++;
    }
    for (const name of legacyLamps(config)) {
      if (actual.get(`Stasis:${name}`) !== 'INUSE') continue;
      await ctx.ari.setDeviceState(name, 'NOT_INUSE').catch((err) => ctx.log.warn({ err, name }, 'old lamp not switched off'));
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

/**
 * Conversations the service connected (a retrieval, an answered ring-back, a returned call:
 * bridges connect-* and return-*) whose side hung up while it could not hear: the other side
 * is hung up, as a watched connected call would have been. In this process, a handled channel that is
 * gone gets the StasisEnd it missed (its flows, that watch included, finish). From an earlier
 * run, with none of its channels handled here: a full bridge is watched again, a half one ended.
 */
async function endConversations(
  ctx: ServiceContext,
  bridges: Array<{ id: string; type: string; channelIds: string[] }>,
  alive: Set<string>,
  handledBefore: string[],
  rowBridges: Set<string>,
): Promise<void> {
  for (const id of handledBefore) {
    if (alive.has(id) || !ctx.handled.delete(id)) continue;
    ctx.channelNames.delete(id);
    ctx.channelEvents.emit({ type: 'StasisEnd', channelId: id });
    connectedSideLeft(ctx, id);
  }
  for (const bridge of bridges) {
    if (!/^(connect|return)-/.test(bridge.id) || rowBridges.has(bridge.id) || bridge.channelIds.length === 0) continue;
    // A connection this process is making or watching has a channel it handles (or a caller it holds).
    if (bridge.channelIds.some((id) => ctx.handled.has(id) || ctx.lots.byChannel(id))) continue;
    if (bridge.channelIds.length >= 2) {
      watchConnectedCall(ctx, bridge.id, bridge.channelIds);
      continue;
    }
    ctx.log.warn({ bridgeId: bridge.id, channelIds: bridge.channelIds }, 'ending a conversation whose other side hung up while we were away');
    await Promise.allSettled([...bridge.channelIds.map((id) => ctx.ari.hangup(id)), ctx.ari.destroyBridge(bridge.id)]);
  }
}

/**
 * Channels left in our application by a previous run with no flow to finish them (the
 * service died mid-park, mid-announcement or mid-retrieval). A caller being parked is
 * handed to Asterisk's own parking so it is never lost; a phone's own leg (a consult call,
 * a retriever, a ring-back) is hung up: its user still has their call, or can dial again.
 */
async function settleOrphans(
  ctx: ServiceContext,
  channels: ChannelSnapshot[],
  ours: string[],
  bridgeOf: Map<string, { id: string; channelIds: string[] }>,
): Promise<void> {
  const byId = new Map(channels.map((c) => [c.id, c]));
  const ringing = new Set(ctx.lots.all().flatMap((call) => call.ringing));
  for (const id of ours) {
    const channel = byId.get(id);
    if (!channel || ctx.lots.byChannel(id) || bridgeOf.has(id)) continue;
    if (ctx.handled.has(id) || ringing.has(id) || ctx.returns.has(id) || ctx.deliveries.has(id)) continue;
    const endpoint = endpointOfChannelName(channel.name);
    const phone = endpoint ? await ctx.configs.endpointOwner(endpoint).catch(() => null) : null;
    // Our own ring legs and the phones' own legs are hung up; anything else is a caller.
    const ownLeg = /^(return|deliver|recall)-/.test(id);
    const isCaller = !ownLeg && (!!channel.vars.BLINDTRANSFER || !phone);
    ctx.log.warn({ channelId: id, name: channel.name, isCaller }, 'settling a channel left by an earlier run');
    if (isCaller) {
      await ctx.ari.continueInDialplan(id, FALLBACK_PARK.context, FALLBACK_PARK.extension, FALLBACK_PARK.priority).catch(() => undefined);
    } else {
      await ctx.ari.hangup(id).catch(() => undefined);
    }
  }
}

/**
 * A caller in one of our holding bridges with no record: the process died between bridging
 * the caller and writing the park. The caller must not wait forgotten, so it is parked
 * again on the tenant's next free place, with no known parker (recall goes to the fallback).
 */
async function recoverUnrecorded(
  ctx: ServiceContext,
  tenants: TenantConfig[],
  bridges: Array<{ id: string; type: string; channelIds: string[] }>,
  channels: ChannelSnapshot[],
): Promise<number> {
  const byId = new Map(channels.map((c) => [c.id, c]));
  let recovered = 0;
  for (const bridge of bridges) {
    const config = tenants.find((t) => bridge.type === 'holding' && bridge.id.startsWith(`parking-${t.settings.slug}-`));
    if (!config) continue;
    for (const id of bridge.channelIds) {
      const channel = byId.get(id);
      if (!channel || ctx.lots.byChannel(id) || ctx.handled.has(id) || !channel.name.includes('/') || channel.name.startsWith('Announcer/')) continue;
      try {
        const place = allocatePlace({ config, target: 'auto', parker: null, isTaken: (key) => ctx.lots.isTaken(config.settings.id, key), random: ctx.random });
        const call = await adoptParked(ctx, config, channel, place, bridge.id);
        ctx.log.warn({ channelId: id, place: call.placeKey }, 'recovered a parked caller that had no record');
        recovered++;
      } catch (err) {
        ctx.log.error({ err, channelId: id }, 'an unrecorded parked caller could not be given a place; it stays in the holding bridge');
      }
    }
  }
  return recovered;
}
