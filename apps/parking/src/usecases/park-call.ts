import { placeKey, type Place } from '../domain/codes';
import { describe } from '../domain/describe-call';
import { ParkingError } from '../domain/errors';
import { hasEnded, type ParkMethod, type ParkedCall, type Party } from '../domain/parked-call';
import { recallRules } from '../domain/recall-policy';
import type { TenantConfig } from '../domain/tenant';
import type { ChannelSnapshot } from '../ports';
import type { ServiceContext } from './context';
import { ensureHoldingBridge, holdingBridgeId } from './holding-bridge';
import { updateLamps } from './lamps';
import { notifyParked } from './notify';
import { armRecall } from './recall-call';

export interface ParkRequest {
  config: TenantConfig;
  channel: ChannelSnapshot;
  place: Place;
  parker: Party;
  method: ParkMethod;
  groupId: string | null;
  /** The reservation token holding `place`, when the place was reserved earlier. */
  token?: string;
  /** True when the parker cannot hear an announcement (blind transfer, API): tell them by message. */
  tellParkerByMessage: boolean;
  /** performance.now() when the call reached the service, for the park latency metric. */
  receivedAt?: number;
  /** The parked call's id when it was promised earlier (API parks answer with it). */
  id?: string;
}

/**
 * Puts a caller into the tenant's holding bridge (music per bridge, P7), lights the lamps,
 * records the park and arms the recall. The place is taken synchronously first (R7).
 */
export async function parkCall(ctx: ServiceContext, req: ParkRequest): Promise<ParkedCall> {
  const { config, channel, place } = req;
  const slot = place.kind === 'SLOT' ? config.slots.get(place.number) : undefined;
  const musicClass = slot?.musicClass ?? config.settings.musicClass;
  const call = newParkedCall(ctx, config, {
    id: req.id ?? ctx.newId(),
    channel,
    place,
    parker: req.parker,
    method: req.method,
    groupId: req.groupId,
    holdingBridgeId: holdingBridgeId(config.settings.slug, musicClass),
    musicClass,
  });
  if (!ctx.lots.add(call, req.token)) {
    throw new ParkingError('slot-occupied', `a call is already parked on ${call.placeKey}`, { place: call.placeKey });
  }
  // Asterisk's bridge music leaves with the bridge's last caller: the first one starts it again.
  const firstInBridge = !ctx.lots.anyOther(call, (c) => c.holdingBridgeId === call.holdingBridgeId);
  const log = ctx.log.child({ parkedCallId: call.id, channelId: channel.id, tenant: config.settings.slug, place: call.placeKey });
  try {
    await ensureHoldingBridge(ctx, call.holdingBridgeId);
    if (channel.state !== 'Up') await ctx.ari.answer(channel.id);
    await ctx.ari.addToBridge(call.holdingBridgeId, [channel.id]);
    if (firstInBridge) await ctx.ari.startBridgeMusic(call.holdingBridgeId, musicClass);
  } catch (err) {
    ctx.lots.remove(call);
    throw err;
  }
  // The caller may have hung up while we were bridging; channel-gone has then ended the call.
  if (hasEnded(call)) return call;
  log.info({ method: call.method, parker: call.parker.extension }, 'parked');
  ctx.store.parked(call, { callerChannelId: channel.id });
  ctx.events.publish({
    type: 'parked',
    tenantId: call.tenantId,
    parkedCallId: call.id,
    data: describe(config, call),
  });
  armRecall(ctx, call);
  await Promise.all([
    updateLamps(ctx, config, call, true).then(() => req.receivedAt !== undefined && ctx.telemetry.parked(performance.now() - req.receivedAt)),
    notifyParked(ctx, config, call, req.tellParkerByMessage),
  ]);
  return call;
}

/** Records a caller already sitting in a holding bridge as parked at `place` (recovery). */
export async function adoptParked(ctx: ServiceContext, config: TenantConfig, channel: ChannelSnapshot, place: Place, bridgeId: string): Promise<ParkedCall> {
  const call = newParkedCall(ctx, config, {
    id: ctx.newId(),
    channel,
    place,
    parker: { extension: null, endpoint: null },
    method: 'RECOVERED',
    groupId: null,
    holdingBridgeId: bridgeId,
    musicClass: config.settings.musicClass,
  });
  if (!ctx.lots.add(call)) throw new ParkingError('slot-occupied', `${call.placeKey} is taken`);
  ctx.store.parked(call, { callerChannelId: channel.id, recovered: true });
  ctx.events.publish({ type: 'parked', tenantId: call.tenantId, parkedCallId: call.id, data: describe(config, call) });
  armRecall(ctx, call);
  await updateLamps(ctx, config, call, true);
  return call;
}

/** A parked call starting now, with its recall and timeout deadlines. */
function newParkedCall(
  ctx: ServiceContext,
  config: TenantConfig,
  f: Pick<ParkedCall, 'id' | 'place' | 'parker' | 'method' | 'groupId' | 'holdingBridgeId' | 'musicClass'> & { channel: ChannelSnapshot },
): ParkedCall {
  const now = ctx.clock.now();
  const { channel, ...fields } = f;
  const call: ParkedCall = {
    ...fields,
    tenantId: config.settings.id,
    placeKey: placeKey(f.place),
    callerChannelId: channel.id,
    callerName: channel.callerName,
    callerNumber: channel.callerNumber,
    state: 'PARKED',
    parkedAt: now,
    recallAt: null,
    timeoutAt: now + config.settings.maxParkTimeSec * 1000,
    recallAttempts: 0,
    recallPhase: null,
    ringing: [],
  };
  call.recallAt = now + recallRules(config, call).recallTimerMs;
  return call;
}
