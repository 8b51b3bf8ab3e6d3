import type { ParkedCall } from '../domain/parked-call';
import type { ServiceContext } from './context';
import { updateLamps } from './lamps';
import { cancelRecall, hangUpRingBacks } from './stop-recall';

/**
 * A parked caller hung up (StasisEnd): the place is freed at once (R7), ring-backs are
 * cancelled, the lamps go off and the park is closed as abandoned. LOST when it was not the
 * caller's doing (Asterisk stopped, or the caller was gone when the service came back).
 */
export async function callerLeft(
  ctx: ServiceContext,
  call: ParkedCall,
  outcome: 'ABANDONED' | 'LOST' = 'ABANDONED',
  reason = 'the caller hung up',
): Promise<void> {
  if (call.state === 'ENDED') return;
  const wasConnecting = call.state === 'CONNECTING';
  ctx.lots.remove(call);
  call.state = 'ENDED';
  cancelRecall(ctx, call);
  const waitedSec = Math.round((ctx.clock.now() - call.parkedAt) / 1000);
  ctx.log.info({ parkedCallId: call.id, place: call.placeKey, waitedSec, wasConnecting, outcome, reason }, 'parked caller gone');
  ctx.store.ended(call, outcome, { waitedSec, reason });
  ctx.events.publish({
    type: outcome === 'LOST' ? 'lost' : 'abandoned',
    tenantId: call.tenantId,
    parkedCallId: call.id,
    data: { place: call.placeKey, waitedSec, reason, caller: { name: call.callerName, number: call.callerNumber } },
  });
  await hangUpRingBacks(ctx, call, null);
  const config = await ctx.configs.tenantById(call.tenantId);
  if (config) await updateLamps(ctx, config, call, false);
}
