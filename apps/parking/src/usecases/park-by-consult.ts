import { allocatePlace, type ParkTarget } from '../domain/allocate';
import { placeKey, spokenPlace, type Place } from '../domain/codes';
import { ParkingError, isParkingError } from '../domain/errors';
import type { Party } from '../domain/parked-call';
import type { TenantConfig } from '../domain/tenant';
import type { ChannelSnapshot } from '../ports';
import { channelKey } from './channel-events';
import { splitEndpoint } from '../domain/endpoints';
import type { ServiceContext } from './context';
import { takeSide, takeTransferredPeer, type TakenSide } from './connected-calls';
import type { Consult } from './consult';
import { announce, refuse } from './conversation';
import { parkCall } from './park-call';
import { prompts } from './prompts';
import { returnToParker } from './return-to-parker';

const PULL_TIMEOUT_MS = 10_000;

/**
 * Attended transfer and hold + dial + hang up look the same when the consult leg arrives, so
 * the place is reserved and announced on the consult leg (kept out of any bridge). Then
 * either the phone completes the transfer (the caller replaces the consult leg), or the
 * consult leg hangs up or stays silent, and the held caller is pulled in by the dialplan
 * helper (ChannelRedirect).
 */
export async function parkByConsult(
  ctx: ServiceContext,
  req: { config: TenantConfig; channel: ChannelSnapshot; target: ParkTarget; parker: Party & { endpoint: string }; groupId: string | null },
): Promise<void> {
  const { config, channel, parker } = req;
  const { technology, resource } = splitEndpoint(parker.endpoint);
  const held = (await ctx.ari.endpoint(technology, resource)).channelIds.filter((id) => id !== channel.id);
  if (held.length === 0) return refuse(ctx, channel.id, prompts.noCallParked);

  let place: Place;
  try {
    place = allocatePlace({
      config,
      target: req.target,
      parker: parker.extension,
      isTaken: (key) => ctx.lots.isTaken(config.settings.id, key),
      random: ctx.random,
    });
  } catch (err) {
    if (!isParkingError(err)) throw err;
    // The parker still has the held call: they hear why, and keep it (P8).
    return refuse(ctx, channel.id, err.id === 'not-allowed' ? prompts.notAllowed : prompts.parkFailed);
  }
  const token = `consult-${channel.id}`;
  ctx.lots.reserve(config.settings.id, placeKey(place), token);
  const consult: Consult = {
    token,
    config,
    place,
    groupId: req.groupId,
    parker,
    method: 'HOLD_AND_DIAL',
    consultChannelId: channel.id,
    heldChannelId: held[held.length - 1],
    playbackId: `pb-${ctx.newId()}`,
    settled: false,
  };
  ctx.consults.set(channel.id, consult);
  const offGone = ctx.channelEvents.on(channelKey(channel.id), (event) => {
    if (event.type === 'StasisEnd') pullHeldCaller(ctx, consult).catch((err) => ctx.log.error({ err }, 'pull failed'));
  });

  try {
    if (channel.state !== 'Up') await ctx.ari.answer(channel.id);
    const result = await announce(ctx, channel.id, prompts.parkedAt(spokenPlace(config, place)), { playbackId: consult.playbackId! });
    if (result === 'gone' || consult.settled) return;
    // The phone may still complete an attended transfer; after a short grace, park the held call.
    ctx.clock.at(ctx.clock.now() + ctx.options.consultGraceMs, () => {
      if (consult.settled) return;
      offGone();
      pullHeldCaller(ctx, consult)
        .then(() => ctx.ari.hangup(channel.id))
        .catch((err) => ctx.log.warn({ err }, 'pull after grace failed'));
    });
  } catch (err) {
    if (!isParkingError(err, 'call-gone')) throw err;
  } finally {
    if (consult.settled) offGone();
  }
}

/** Attended transfer completed: the caller replaced the consult leg (StasisStart replace_channel). */
export async function onConsultReplaced(ctx: ServiceContext, consult: Consult, caller: ChannelSnapshot): Promise<void> {
  if (consult.settled) return;
  consult.settled = true;
  ctx.consults.delete(consult.consultChannelId);
  // Out of a call the service bridged, a Local half took the consult leg's place: the caller is
  // on the other side of that call, and goes from that bridge straight to the holding bridge.
  const peer = takeTransferredPeer(ctx, caller, caller.vars.ATTENDEDTRANSFER);
  if (peer) {
    if (consult.playbackId) await ctx.ari.stopPlayback(consult.playbackId).catch(() => undefined);
    return parkSideOfConnectedCall(ctx, consult, peer, 'ATTENDED_TRANSFER');
  }
  // The caller inherits the consult leg's announcement, and Asterisk holds commands (bridge
  // changes, music) until a playback ends. Music first: it is queued (answered at once) and starts
  // the moment the announcement ends, so the caller hears no gap while the holding bridge is
  // joined. Then the announcement is stopped (refused while only digits have played; it then
  // ends by itself). Channel music stops once the caller is in the bridge, whose music it hears.
  const slot = consult.place.kind === 'SLOT' ? consult.config.slots.get(consult.place.number) : undefined;
  const musicClass = slot?.musicClass ?? consult.config.settings.musicClass;
  const music = await ctx.ari.startMusic(caller.id, musicClass).then(
    () => true,
    () => false,
  );
  if (consult.playbackId) await ctx.ari.stopPlayback(consult.playbackId).catch(() => undefined);
  await parkPulledOrTransferred(ctx, consult, caller, 'ATTENDED_TRANSFER');
  if (music && ctx.lots.byChannel(caller.id)) await ctx.ari.stopMusic(caller.id).catch(() => undefined);
}

/** Parks one side of a call the service bridged, then ends what is left of that call. */
async function parkSideOfConnectedCall(ctx: ServiceContext, consult: Consult, side: TakenSide, method: 'ATTENDED_TRANSFER' | 'HOLD_AND_DIAL' | 'API'): Promise<void> {
  let caller: ChannelSnapshot;
  try {
    caller = await ctx.ari.channel(side.channelId);
  } catch (err) {
    ctx.lots.releaseReservation(consult.config.settings.id, placeKey(consult.place), consult.token);
    await side.release();
    if (!isParkingError(err, 'call-gone')) throw err;
    return;
  }
  await parkPulledOrTransferred(ctx, consult, caller, method, side.release);
}

/** The held caller arrived through the dialplan helper (Stasis(parking,pulled)). */
export async function onPulled(ctx: ServiceContext, consult: Consult, caller: ChannelSnapshot): Promise<void> {
  ctx.pulls.delete(caller.id);
  await parkPulledOrTransferred(ctx, consult, caller, consult.method);
}

async function parkPulledOrTransferred(
  ctx: ServiceContext,
  consult: Consult,
  caller: ChannelSnapshot,
  method: 'ATTENDED_TRANSFER' | 'HOLD_AND_DIAL' | 'API',
  /** Ends the rest of the call the caller was taken from (parked out of a connected call). */
  release: () => Promise<void> = async () => undefined,
): Promise<void> {
  try {
    await parkCall(ctx, {
      config: consult.config,
      channel: caller,
      place: consult.place,
      parker: consult.parker,
      method,
      groupId: consult.groupId,
      token: consult.token,
      tellParkerByMessage: method === 'API',
      id: consult.parkedCallId,
    });
    await release();
  } catch (err) {
    ctx.lots.releaseReservation(consult.config.settings.id, placeKey(consult.place), consult.token);
    await release();
    if (isParkingError(err, 'call-gone')) return;
    const reason = isParkingError(err) ? err : new ParkingError('internal', String(err));
    await returnToParker(ctx, consult.config, caller, consult.parker.endpoint, reason);
  }
}

async function pullHeldCaller(ctx: ServiceContext, consult: Consult): Promise<void> {
  if (consult.settled) return;
  consult.settled = true;
  ctx.consults.delete(consult.consultChannelId);
  const bridge = (await ctx.ari.listBridges()).find((b) => b.channelIds.includes(consult.heldChannelId));
  const peerId = bridge?.channelIds.find((id) => id !== consult.heldChannelId);
  if (!peerId) {
    ctx.log.info({ heldChannelId: consult.heldChannelId }, 'no held caller to park');
    return ctx.lots.releaseReservation(consult.config.settings.id, placeKey(consult.place), consult.token);
  }
  await pullIntoParking(ctx, consult, await ctx.ari.channel(peerId));
}

/**
 * Brings a channel that is not in Stasis (a caller in a phone's call) into the service: the
 * dialplan helper ChannelRedirects it to Stasis(parking,pulled), where `pending` parks it.
 */
export async function pullIntoParking(ctx: ServiceContext, pending: Consult, channel: ChannelSnapshot): Promise<void> {
  // A side of a call the service bridged is in Stasis already: parked directly.
  const connected = ctx.connected.of(channel.id);
  if (connected) {
    const method = pending.method === 'API' ? 'API' : 'HOLD_AND_DIAL';
    return parkPulledOrTransferred(ctx, pending, channel, method, takeSide(ctx, connected, channel.id).release);
  }
  const release = () => ctx.lots.releaseReservation(pending.config.settings.id, placeKey(pending.place), pending.token);
  ctx.pulls.set(channel.id, pending);
  ctx.clock.at(ctx.clock.now() + PULL_TIMEOUT_MS, () => {
    if (ctx.pulls.get(channel.id) !== pending) return;
    ctx.pulls.delete(channel.id);
    ctx.log.error({ channelId: channel.id }, 'the caller never arrived from the dialplan helper');
    release();
  });
  try {
    await ctx.ari.originateLocal({
      endpoint: 'Local/pull@parking-helper',
      context: 'parking-helper',
      extension: 'done',
      variables: { PARK_PEER: channel.name },
    });
  } catch (err) {
    ctx.pulls.delete(channel.id);
    release();
    throw err;
  }
}
