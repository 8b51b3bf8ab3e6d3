import { ParkingError, isParkingError } from '../domain/errors';
import type { CallEvent } from './channel-events';
import { callerLeft } from './caller-left';
import { connectedSideLeft, connectedSideReplaced } from './connected-calls';
import type { ServiceContext } from './context';
import { refuse } from './conversation';
import { deliverAnswered } from './deliver-call';
import { handleDialledCode, type PinVerifier } from './handle-dialled-code';
import { onConsultReplaced, onPulled } from './park-by-consult';
import { prompts } from './prompts';
import { onRecallAnswered } from './recall-answered';
import { FALLBACK_PARK } from './fallback-park';
import { onReturnAnswered } from './return-to-parker';
import { endpointOfChannelName } from '../domain/endpoints';

/** main/channel.c ast_softhangup_all(): every channel is asked to hang up with this flag when Asterisk stops. */
const AST_SOFTHANGUP_SHUTDOWN = 1 << 2;
const ASTERISK_STOPPED = 'Asterisk shut down or restarted and hung up the call';

/**
 * Routes every ARI event: flows waiting on a channel or playback hear it first, then
 * StasisStart is dispatched on its Stasis() arguments and StasisEnd of a parked caller
 * closes the park. Each handler has a last resort, so no call is left in silence.
 */
export function routeEvent(ctx: ServiceContext, event: CallEvent, verifyPin: PinVerifier): void {
  if (event.type === 'StasisStart') {
    ctx.handled.add(event.channel.id);
    ctx.channelNames.set(event.channel.id, event.channel.name);
  }
  ctx.channelEvents.emit(event);
  if (event.type === 'ChannelHangupRequest') {
    if (event.soft && event.cause === AST_SOFTHANGUP_SHUTDOWN) ctx.shutdownHangups.add(event.channelId);
    return;
  }
  if (event.type === 'StasisEnd') {
    ctx.handled.delete(event.channelId);
    ctx.channelNames.delete(event.channelId);
    ctx.leftDuringReconcile?.add(event.channelId);
    connectedSideLeft(ctx, event.channelId);
    const byShutdown = ctx.shutdownHangups.delete(event.channelId);
    const call = ctx.lots.byChannel(event.channelId);
    // A caller we are sending to the dialplan leaves Stasis by our `continue`: not abandoned.
    if (call && !call.leavingFor) {
      const closed = byShutdown ? callerLeft(ctx, call, 'LOST', ASTERISK_STOPPED) : callerLeft(ctx, call);
      closed.catch((err) => ctx.log.error({ err }, 'closing an abandoned park failed'));
    }
    return;
  }
  if (event.type !== 'StasisStart') return;
  const { channel, args } = event;
  const handled = dispatchStart(ctx, event, verifyPin);
  handled.catch(async (err) => {
    ctx.log.error({ err, channelId: channel.id, args }, 'stasis handler failed');
    if (isParkingError(err, 'call-gone')) return;
    if (ctx.lots.byChannel(channel.id)) return; // parked after all
    if (channel.vars.BLINDTRANSFER || args[0] === 'pulled') {
      // A caller we were about to park: Asterisk's own parking keeps them.
      await ctx.ari.continueInDialplan(channel.id, FALLBACK_PARK.context, FALLBACK_PARK.extension, 1).catch(() => undefined);
    } else {
      await refuse(ctx, channel.id, prompts.parkFailed).catch(() => undefined);
    }
  });
}

async function dispatchStart(ctx: ServiceContext, event: Extract<CallEvent, { type: 'StasisStart' }>, verifyPin: PinVerifier): Promise<void> {
  const { channel, args, replacedChannelId } = event;
  if (replacedChannelId) {
    const consult = ctx.consults.get(replacedChannelId);
    if (consult) return onConsultReplaced(ctx, consult, channel);
    if (connectedSideReplaced(ctx, channel, replacedChannelId)) return;
    return replacedUnknown(ctx, channel);
  }
  const [kind, ...rest] = args;
  switch (kind) {
    case 'code':
      return handleDialledCode(ctx, channel, rest[0] ?? '', rest[1] ?? '', verifyPin, event.receivedAt);
    case 'pulled': {
      const consult = ctx.pulls.get(channel.id);
      if (consult) return onPulled(ctx, consult, channel);
      throw new ParkingError('not-found', `no park waits for ${channel.name}`);
    }
    case 'recall':
      return onRecallAnswered(ctx, channel, rest[0] ?? '');
    case 'deliver':
      return deliverAnswered(ctx, channel, rest[0] ?? '');
    case 'return':
      return onReturnAnswered(ctx, channel, rest[0] ?? '');
    default:
      ctx.log.warn({ args, endpoint: endpointOfChannelName(channel.name) }, 'unknown Stasis arguments');
      return refuse(ctx, channel.id, prompts.invalidCode);
  }
}

/**
 * A channel took the place of one we no longer follow (a transfer that completed after the
 * call it left was parked or ended). A Local half has nobody behind it: hung up. Anyone else
 * is a caller: Asterisk's own parking keeps them.
 */
async function replacedUnknown(ctx: ServiceContext, channel: Extract<CallEvent, { type: 'StasisStart' }>['channel']): Promise<void> {
  ctx.log.info({ channelId: channel.id, name: channel.name }, 'a transfer completed into a call we no longer hold');
  if (channel.name.startsWith('Local/')) await ctx.ari.hangup(channel.id).catch(() => undefined);
  else await ctx.ari.continueInDialplan(channel.id, FALLBACK_PARK.context, FALLBACK_PARK.extension, FALLBACK_PARK.priority);
}
