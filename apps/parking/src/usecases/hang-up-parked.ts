import { ParkingError } from '../domain/errors';
import { isTakeable } from '../domain/parked-call';
import type { ServiceContext } from './context';
import { updateLamps } from './lamps';
import { cancelRecall, hangUpRingBacks } from './stop-recall';

/** The call-control API hangs up a parked call (A3): closed as HUNG_UP, not as abandoned. */
export async function hangUpParked(ctx: ServiceContext, parkedCallId: string, by: string): Promise<void> {
  const call = ctx.lots.get(parkedCallId);
  if (!call || !isTakeable(call)) throw new ParkingError('no-parked-call', `no parked call ${parkedCallId}`);
  ctx.lots.remove(call);
  call.state = 'ENDED';
  cancelRecall(ctx, call);
  ctx.store.ended(call, 'HUNG_UP', { by });
  ctx.events.publish({ type: 'hung_up', tenantId: call.tenantId, parkedCallId: call.id, data: { place: call.placeKey, by } });
  await hangUpRingBacks(ctx, call, null);
  await ctx.ari.hangup(call.callerChannelId).catch(() => undefined);
  const config = await ctx.configs.tenantById(call.tenantId);
  if (config) await updateLamps(ctx, config, call, false);
}
