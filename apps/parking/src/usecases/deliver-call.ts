import { ParkingError } from '../domain/errors';
import { isTakeable } from '../domain/parked-call';
import type { ChannelSnapshot } from '../ports';
import { backToParked, connectParkedCall } from './connect-call';
import { channelKey } from './channel-events';
import type { ServiceContext } from './context';
import { hangUpRingBacks } from './stop-recall';

/**
 * The call-control API retrieves a parked call to a phone (R5): the phone rings with the
 * caller's identity, and the call is connected when it answers. The call stays parked,
 * and retrievable by others, while the phone rings.
 */
export async function deliverCall(ctx: ServiceContext, parkedCallId: string, endpoint: string, by: string): Promise<string> {
  const call = ctx.lots.get(parkedCallId);
  if (!call || !isTakeable(call)) throw new ParkingError('no-parked-call', `no parked call ${parkedCallId}`);
  const channelId = `deliver-${call.id}-${ctx.newId().slice(0, 8)}`;
  ctx.deliveries.set(channelId, { parkedCallId, by });
  const off = ctx.channelEvents.on(channelKey(channelId), (event) => {
    if (event.type === 'ChannelDestroyed' || event.type === 'StasisEnd') {
      off();
      ctx.deliveries.delete(channelId);
    }
  });
  try {
    await ctx.ari.originate({
      endpoint,
      channelId,
      appArgs: ['deliver', call.id],
      callerId: `"Park ${call.placeKey}: ${call.callerName || call.callerNumber}" <${call.callerNumber}>`,
      timeoutSec: 30,
    });
  } catch (err) {
    off();
    ctx.deliveries.delete(channelId);
    throw err;
  }
  return channelId;
}

export async function deliverAnswered(ctx: ServiceContext, channel: ChannelSnapshot, parkedCallId: string): Promise<void> {
  const delivery = ctx.deliveries.get(channel.id);
  const call = ctx.lots.get(parkedCallId);
  if (!delivery || !call || !isTakeable(call)) {
    await ctx.ari.hangup(channel.id).catch(() => undefined);
    return;
  }
  ctx.deliveries.delete(channel.id);
  call.state = 'CONNECTING';
  await hangUpRingBacks(ctx, call, null);
  const config = await ctx.configs.tenantById(call.tenantId);
  if (!config) return backToParked(ctx, call);
  await connectParkedCall(ctx, config, { call, otherChannelId: channel.id, outcome: 'RETRIEVED', by: delivery.by });
}
