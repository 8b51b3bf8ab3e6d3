import { isParkingError } from '../domain/errors';
import { hasEnded, type ParkOutcome, type ParkedCall } from '../domain/parked-call';
import type { TenantConfig } from '../domain/tenant';
import { watchConnectedCall } from './connected-calls';
import type { ServiceContext } from './context';
import { updateLamps } from './lamps';
import { armRecall } from './recall-call';
import { cancelRecall, hangUpRingBacks } from './stop-recall';

export interface Connection {
  call: ParkedCall;
  otherChannelId: string;
  outcome: Extract<ParkOutcome, 'RETRIEVED' | 'RECALL_ANSWERED' | 'HUNT_GROUP'>;
  /** Who took the call: the extension that answered (or retrieved), else what is known of it. */
  by: string | null;
  /** The endpoint that took the call (PJSIP/101), when known. */
  endpoint?: string | null;
  /** performance.now() when the winning channel reached the service, for the metric. */
  receivedAt?: number;
}

/**
 * Bridges a parked caller with the channel that won it (a retriever, or an answered
 * ring-back). The caller must already be claimed (state CONNECTING). If the other party is
 * gone before the bridge is made, the caller stays parked and keeps the place (R7).
 */
export async function connectParkedCall(ctx: ServiceContext, config: TenantConfig, conn: Connection): Promise<boolean> {
  const { call, otherChannelId } = conn;
  const bridgeId = `connect-${call.id}`;
  const log = ctx.log.child({ parkedCallId: call.id, channelId: call.callerChannelId, place: call.placeKey });
  cancelRecall(ctx, call);
  await hangUpRingBacks(ctx, call, otherChannelId);
  try {
    await ctx.ari.createBridge(bridgeId, 'mixing', bridgeId);
    await ctx.ari.addToBridge(bridgeId, [call.callerChannelId, otherChannelId]);
  } catch (err) {
    if (hasEnded(call)) {
      await ctx.ari.destroyBridge(bridgeId).catch(() => undefined);
      return false; // the caller hung up meanwhile: already closed as abandoned
    }
    log.warn({ err, otherChannelId }, 'could not connect the parked call; it stays parked');
    await returnToLot(ctx, call, bridgeId);
    if (!isParkingError(err, 'call-gone')) await ctx.ari.hangup(otherChannelId).catch(() => undefined);
    return false;
  }
  // Either side may have hung up while the bridge was being made (its StasisEnd overtook
  // Asterisk's answers): nobody may be left alone in the connect bridge.
  if (hasEnded(call)) {
    await Promise.allSettled([ctx.ari.hangup(otherChannelId), ctx.ari.destroyBridge(bridgeId)]);
    return false;
  }
  if (!ctx.handled.has(otherChannelId)) {
    log.info({ otherChannelId }, 'the other party left while being connected; the caller stays parked');
    await returnToLot(ctx, call, bridgeId);
    return false;
  }
  ctx.lots.remove(call);
  call.state = 'ENDED';
  const waitedSec = Math.round((ctx.clock.now() - call.parkedAt) / 1000);
  log.info({ outcome: conn.outcome, by: conn.by, waitedSec }, 'connected');
  ctx.store.ended(call, conn.outcome, { by: conn.by, ...(conn.endpoint ? { endpoint: conn.endpoint } : {}), channelId: otherChannelId, waitedSec });
  ctx.events.publish({
    type: conn.outcome === 'RETRIEVED' ? 'retrieved' : 'recall_answered',
    tenantId: call.tenantId,
    parkedCallId: call.id,
    data: { place: call.placeKey, by: conn.by, ...(conn.endpoint ? { endpoint: conn.endpoint } : {}), waitedSec, caller: { name: call.callerName, number: call.callerNumber } },
  });
  if (conn.receivedAt !== undefined) ctx.telemetry.connected(performance.now() - conn.receivedAt);
  watchConnectedCall(ctx, bridgeId, [call.callerChannelId, otherChannelId]);
  await updateLamps(ctx, config, call, false);
  return true;
}

/** The connection failed with the caller still here: back into the lot's holding bridge, with its music. */
async function returnToLot(ctx: ServiceContext, call: ParkedCall, connectBridgeId: string): Promise<void> {
  await ctx.ari.destroyBridge(connectBridgeId).catch(() => undefined);
  await ctx.ari.addToBridge(call.holdingBridgeId, [call.callerChannelId]).catch(() => undefined);
  // Asterisk's bridge music left with the bridge's last caller.
  if (!ctx.lots.anyOther(call, (c) => c.holdingBridgeId === call.holdingBridgeId)) {
    await ctx.ari.startBridgeMusic(call.holdingBridgeId, call.musicClass).catch(() => undefined);
  }
  backToParked(ctx, call);
}

/** The claim failed: the call is parked again and its recall re-armed. */
export function backToParked(ctx: ServiceContext, call: ParkedCall): void {
  if (hasEnded(call)) return;
  call.state = 'PARKED';
  call.ringing = [];
  const retryAt = ctx.clock.now() + 1000;
  if (call.recallAt === null || call.recallAt < retryAt) call.recallAt = retryAt;
  armRecall(ctx, call);
}
