import { ParkingError } from '../domain/errors';
import { isTakeable } from '../domain/parked-call';
import type { ChannelSnapshot } from '../ports';
import { connectParkedCall } from './connect-call';
import { endpointOfChannelName } from '../domain/endpoints';
import type { ServiceContext } from './context';

/** A ring-back was answered: StasisStart of our originated channel (args recall,<id>). */
export async function onRecallAnswered(ctx: ServiceContext, channel: ChannelSnapshot, parkedCallId: string): Promise<void> {
  const call = ctx.lots.get(parkedCallId);
  if (!call || !isTakeable(call) || !call.ringing.includes(channel.id)) {
    // Answered too late: someone else took the call.
    await ctx.ari.hangup(channel.id).catch(() => undefined);
    return;
  }
  call.state = 'CONNECTING';
  const config = await ctx.configs.tenantById(call.tenantId);
  if (!config) throw new ParkingError('not-found', `tenant ${call.tenantId} is gone`);
  const outcome = call.recallPhase === 'hunt-group' ? 'HUNT_GROUP' : 'RECALL_ANSWERED';
  // Who answered is the phone we rang (its channel's caller id is the parked caller's, as we set it).
  const endpoint = endpointOfChannelName(channel.name);
  const owner = endpoint ? await ctx.configs.endpointOwner(endpoint).catch(() => null) : null;
  const by = owner && owner.config.settings.id === call.tenantId ? owner.extension : (endpoint ?? channel.name);
  await connectParkedCall(ctx, config, { call, otherChannelId: channel.id, outcome, by, endpoint });
}
