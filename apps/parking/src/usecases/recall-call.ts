import { isParkingError } from '../domain/errors';
import { callerLeft } from './caller-left';
import { hasEnded, type ParkedCall } from '../domain/parked-call';
import { isTakeable } from '../domain/parked-call';
import { parseDestination, recallDue, recallFailed, recallRules, type RecallAction } from '../domain/recall-policy';
import type { TenantConfig } from '../domain/tenant';
import { channelKey } from './channel-events';
import { splitEndpoint } from '../domain/endpoints';
import type { ServiceContext } from './context';
import { updateLamps } from './lamps';
import { cancelRecall, hangUpRingBacks } from './stop-recall';

/**
 * Arms the call's next deadline: the recall (C1) or the maximum park time (C5). One timer
 * per call; a firing timer re-checks the call, since anything may have happened meanwhile.
 */
export function armRecall(ctx: ServiceContext, call: ParkedCall): void {
  cancelRecall(ctx, call);
  const due = call.recallAt === null ? call.timeoutAt : Math.min(call.recallAt, call.timeoutAt);
  ctx.timers.set(
    call.id,
    ctx.clock.at(due, () => {
      ctx.timers.delete(call.id);
      onDeadline(ctx, call.id).catch((err) => ctx.log.error({ err, parkedCallId: call.id }, 'recall step failed'));
    }),
  );
}

async function onDeadline(ctx: ServiceContext, callId: string): Promise<void> {
  const call = ctx.lots.get(callId);
  if (!call || !isTakeable(call)) return;
  const config = await ctx.configs.tenantById(call.tenantId);
  if (!config) return;
  const now = ctx.clock.now();
  if (now >= call.timeoutAt) return timeOut(ctx, config, call);
  if (call.state === 'RECALLING') {
    // A ring-back outlived its ring time without any event (lost events): count it as failed.
    await hangUpRingBacks(ctx, call, null);
    return step(ctx, config, call, recallFailed(recallRules(config, call), call.recallPhase ?? 'parker', now));
  }
  if (call.recallAt !== null && now >= call.recallAt) {
    return step(ctx, config, call, recallDue(recallRules(config, call), call.recallPhase, now));
  }
  armRecall(ctx, call);
}

/** Carries out one recall decision of the domain policy. */
async function step(ctx: ServiceContext, config: TenantConfig, call: ParkedCall, action: RecallAction): Promise<void> {
  const now = ctx.clock.now();
  call.recallPhase = action.phase;
  if (action.kind === 'wait') {
    call.state = 'PARKED';
    call.recallAt = action.at;
    ctx.store.updated(call);
    armRecall(ctx, call);
    return;
  }
  if (action.kind === 'dialplan') return sendToDialplan(ctx, config, call, action.destination, 'HUNT_GROUP');

  const reachable = await reachableEndpoints(ctx, action.endpoints);
  if (!isTakeable(call)) return; // retrieved or gone while we looked
  if (reachable.length === 0) {
    recordRecallFailure(ctx, call, action.phase, 'busy-or-unreachable', action.endpoints);
    return step(ctx, config, call, recallFailed(recallRules(config, call), action.phase, now));
  }
  const rules = recallRules(config, call);
  call.state = 'RECALLING';
  call.recallAttempts += 1;
  call.ringing = reachable.map((_, i) => `recall-${call.id}-${call.recallAttempts}-${i}`);
  // Safety net: if no event ends the ring-back, the deadline counts it as failed.
  call.recallAt = now + (action.ringSec + 5) * 1000;
  const callerId = `"Park ${call.placeKey}: ${call.callerName || call.callerNumber}" <${call.callerNumber}>`;
  const variables: Record<string, string> = rules.alertInfo ? { 'PJSIP_HEADER(add,Alert-Info)': rules.alertInfo } : {};
  ctx.store.updated(call);
  ctx.store.event(call, 'recall_started', { phase: action.phase, endpoints: reachable, attempt: call.recallAttempts });
  ctx.events.publish({
    type: action.phase === 'hunt-group' ? 'returned_to_hunt_group' : 'recall_started',
    tenantId: call.tenantId,
    parkedCallId: call.id,
    data: { place: call.placeKey, endpoints: reachable, attempt: call.recallAttempts },
  });
  armRecall(ctx, call);
  const ringing = [...call.ringing];
  let failures = 0;
  await Promise.all(
    reachable.map(async (endpoint, i) => {
      const channelId = ringing[i];
      const off = ctx.channelEvents.on(channelKey(channelId), (event) => {
        if (event.type !== 'ChannelDestroyed') return;
        off();
        // Destroyed before answer: no answer, busy or rejected (C4).
        if (call.ringing.includes(channelId)) {
          call.ringing = call.ringing.filter((id) => id !== channelId);
          if (++failures === ringing.length && call.state === 'RECALLING') {
            recordRecallFailure(ctx, call, action.phase, `cause ${event.cause}`, reachable);
            step(ctx, config, call, recallFailed(recallRules(config, call), action.phase, ctx.clock.now())).catch((err) =>
              ctx.log.error({ err }, 'recall step failed'),
            );
          }
        }
      });
      try {
        await ctx.ari.originate({ endpoint, channelId, appArgs: ['recall', call.id], callerId, timeoutSec: action.ringSec, variables });
      } catch (err) {
        ctx.log.warn({ err, endpoint }, 'ring-back could not be placed');
        ctx.channelEvents.emit({ type: 'ChannelDestroyed', channelId, cause: 0 });
      }
    }),
  );
}

function recordRecallFailure(ctx: ServiceContext, call: ParkedCall, phase: string, reason: string, endpoints: string[]): void {
  ctx.store.event(call, 'recall_failed', { phase, reason, endpoints });
  ctx.events.publish({ type: 'recall_failed', tenantId: call.tenantId, parkedCallId: call.id, data: { place: call.placeKey, phase, reason } });
}

/** Endpoints that can take a ring-back now: online and not already on a call (C4). */
async function reachableEndpoints(ctx: ServiceContext, endpoints: string[]): Promise<string[]> {
  const checks = await Promise.all(
    endpoints.map(async (endpoint) => {
      const { technology, resource } = splitEndpoint(endpoint);
      try {
        const state = await ctx.ari.endpoint(technology, resource);
        return state.online && state.channelIds.length === 0 ? endpoint : null;
      } catch {
        return null;
      }
    }),
  );
  return checks.filter((e): e is string => e !== null);
}

/** The maximum park time is reached (C5): the final destination, or a polite goodbye. */
async function timeOut(ctx: ServiceContext, config: TenantConfig, call: ParkedCall): Promise<void> {
  await sendToDialplan(ctx, config, call, config.settings.finalDestination ?? 'parking-destination,goodbye,1', 'TIMED_OUT');
}

async function sendToDialplan(
  ctx: ServiceContext,
  config: TenantConfig,
  call: ParkedCall,
  destination: string,
  outcome: 'TIMED_OUT' | 'HUNT_GROUP',
): Promise<void> {
  const target = parseDestination(destination) ?? parseDestination('parking-destination,goodbye,1')!;
  call.state = 'CONNECTING';
  cancelRecall(ctx, call);
  await hangUpRingBacks(ctx, call, null);
  if (hasEnded(call)) return; // the caller hung up meanwhile: closed as abandoned
  // Asterisk may send the StasisEnd of this `continue` before answering it: that StasisEnd
  // must not close the park as abandoned (one end event, the true one).
  call.leavingFor = outcome;
  try {
    await ctx.ari.continueInDialplan(call.callerChannelId, target.context, target.extension, target.priority);
  } catch (err) {
    call.leavingFor = undefined;
    if (hasEnded(call)) return;
    if (isParkingError(err, 'call-gone')) return callerLeft(ctx, call);
    ctx.log.error({ err, destination }, 'could not hand the call to the dialplan; it stays parked');
    call.state = 'PARKED';
    call.recallAt = ctx.clock.now() + recallRules(config, call).retryMs;
    call.timeoutAt = Math.max(call.timeoutAt, call.recallAt);
    armRecall(ctx, call);
    return;
  }
  ctx.lots.remove(call);
  call.state = 'ENDED';
  ctx.store.ended(call, outcome, { destination });
  ctx.events.publish({
    type: outcome === 'TIMED_OUT' ? 'timed_out' : 'returned_to_hunt_group',
    tenantId: call.tenantId,
    parkedCallId: call.id,
    data: { place: call.placeKey, destination },
  });
  await updateLamps(ctx, config, call, false);
}
