import type { ParkingError } from '../domain/errors';
import type { TenantConfig } from '../domain/tenant';
import type { ChannelSnapshot } from '../ports';
import { channelKey } from './channel-events';
import { watchConnectedCall } from './connected-calls';
import type { ServiceContext } from './context';
import { FALLBACK_PARK } from './fallback-park';

/**
 * A transferred caller could not be parked (lot full, slot taken, not allowed, error) and
 * the parker is gone (P8). The caller hears music while the parker's phone rings with a
 * marked caller ID; unanswered, the caller is parked by Asterisk's own parking instead.
 */
export async function returnToParker(
  ctx: ServiceContext,
  config: TenantConfig | null,
  caller: ChannelSnapshot,
  parkerEndpoint: string | null,
  reason: ParkingError,
): Promise<void> {
  const log = ctx.log.child({ channelId: caller.id, reason: reason.id });
  log.warn({ parkerEndpoint, message: reason.message }, 'park refused; returning the caller');
  if (config) {
    ctx.events.publish({
      type: 'park_failed',
      tenantId: config.settings.id,
      parkedCallId: null,
      data: { reason: reason.id, message: reason.message, caller: { name: caller.callerName, number: caller.callerNumber } },
    });
  }
  if (!parkerEndpoint) return fallBack(ctx, caller.id);

  const ringId = `return-${caller.id}`;
  ctx.returns.set(ringId, caller.id);
  const cleanup = () => {
    offRing();
    offCaller();
    ctx.returns.delete(ringId);
  };
  const offRing = ctx.channelEvents.on(channelKey(ringId), (event) => {
    if (event.type === 'ChannelDestroyed' && ctx.returns.has(ringId)) {
      cleanup();
      fallBack(ctx, caller.id).catch((err) => log.error({ err }, 'fallback failed'));
    }
  });
  const offCaller = ctx.channelEvents.on(channelKey(caller.id), (event) => {
    if (event.type === 'StasisEnd') {
      cleanup();
      ctx.ari.hangup(ringId).catch(() => undefined);
    }
  });
  try {
    await ctx.ari.startMusic(caller.id, config?.settings.musicClass ?? 'default');
    await ctx.ari.originate({
      endpoint: parkerEndpoint,
      channelId: ringId,
      appArgs: ['return', caller.id],
      callerId: `"Not parked: ${caller.callerName || caller.callerNumber}" <${caller.callerNumber}>`,
      timeoutSec: ctx.options.returnRingSec,
    });
  } catch (err) {
    log.error({ err }, 'could not ring the parker back');
    cleanup();
    await fallBack(ctx, caller.id);
  }
}

/** The parker answered the return call: connect them with their caller. */
export async function onReturnAnswered(ctx: ServiceContext, channel: ChannelSnapshot, callerId: string): Promise<void> {
  if (ctx.returns.get(channel.id) !== callerId) {
    await ctx.ari.hangup(channel.id).catch(() => undefined);
    return;
  }
  ctx.returns.delete(channel.id);
  const bridgeId = `return-${callerId}`;
  try {
    await ctx.ari.stopMusic(callerId).catch(() => undefined);
    await ctx.ari.createBridge(bridgeId, 'mixing', bridgeId);
    await ctx.ari.addToBridge(bridgeId, [callerId, channel.id]);
    watchConnectedCall(ctx, bridgeId, [callerId, channel.id]);
  } catch (err) {
    ctx.log.error({ err, channelId: callerId }, 'could not connect the returned call');
    await ctx.ari.destroyBridge(bridgeId).catch(() => undefined);
    await ctx.ari.hangup(channel.id).catch(() => undefined);
    await fallBack(ctx, callerId);
  }
}

async function fallBack(ctx: ServiceContext, channelId: string): Promise<void> {
  await ctx.ari
    .continueInDialplan(channelId, FALLBACK_PARK.context, FALLBACK_PARK.extension, FALLBACK_PARK.priority)
    .catch((err) => ctx.log.error({ err, channelId }, 'caller could not be handed to the fallback'));
}
