import { allocatePlace, type ParkTarget } from '../domain/allocate';
import { placeKey, retrievalNumber, type Place } from '../domain/codes';
import { ParkingError } from '../domain/errors';
import type { TenantConfig } from '../domain/tenant';
import { endpointOfChannelName } from '../domain/endpoints';
import type { ServiceContext } from './context';
import type { Consult } from './consult';
import { pullIntoParking } from './park-by-consult';

export interface ApiParkRequest {
  config: TenantConfig;
  channelId: string;
  target: Place | 'auto' | { groupName: string };
  /** Who parks (for the recall); else the other party of the call when it is a tenant phone (C6). */
  parkerExtension: string | null;
}

/**
 * The call-control API parks a live call (A3, P5): the place is taken at once and
 * returned; the caller is pulled out of their call by the dialplan helper and parked there.
 */
export async function parkByApi(ctx: ServiceContext, req: ApiParkRequest): Promise<{ parkedCallId: string; place: Place; retrievalNumber: string }> {
  const { config } = req;
  if (ctx.lots.byChannel(req.channelId)) throw new ParkingError('conflict', 'that call is already parked', { channelId: req.channelId });
  const channel = await ctx.ari.channel(req.channelId).catch((err) => {
    throw err instanceof ParkingError && (err.id === 'call-gone' || err.id === 'not-found')
      ? new ParkingError('call-gone', `no call ${req.channelId} in Asterisk`, { channelId: req.channelId })
      : err;
  });
  const bridge = (await ctx.ari.listBridges()).find((b) => b.channelIds.includes(channel.id));
  const peerId = bridge?.channelIds.find((id) => id !== channel.id);
  let parkerExtension = req.parkerExtension;
  let parkerEndpoint: string | null = parkerExtension ? (config.extensions.get(parkerExtension)?.endpoint ?? null) : null;
  if (parkerExtension && !parkerEndpoint) throw new ParkingError('validation', `${parkerExtension} is not an extension of this tenant`);
  if (!parkerExtension && peerId) {
    const peerEndpoint = endpointOfChannelName((await ctx.ari.channel(peerId)).name);
    const owner = [...config.extensions.values()].find((e) => e.endpoint === peerEndpoint);
    if (owner) [parkerExtension, parkerEndpoint] = [owner.number, owner.endpoint];
  }

  let target: ParkTarget;
  let groupId: string | null = null;
  if (req.target !== 'auto' && 'groupName' in req.target) {
    const name = req.target.groupName;
    const group = [...config.groups.values()].find((g) => g.name === name);
    if (!group) throw new ParkingError('not-found', `no group ${name}`);
    target = { group };
    groupId = group.id;
  } else {
    target = req.target;
  }
  const place = allocatePlace({
    config,
    target,
    parker: parkerExtension,
    isTaken: (key) => ctx.lots.isTaken(config.settings.id, key),
    random: ctx.random,
  });
  const token = `api-${channel.id}`;
  ctx.lots.reserve(config.settings.id, placeKey(place), token);
  const pending: Consult = {
    token,
    config,
    place,
    groupId,
    parker: { extension: parkerExtension, endpoint: parkerEndpoint },
    method: 'API',
    parkedCallId: ctx.newId(),
    consultChannelId: '',
    heldChannelId: '',
    playbackId: null,
    settled: true,
  };
  await pullIntoParking(ctx, pending, channel);
  return { parkedCallId: pending.parkedCallId!, place, retrievalNumber: retrievalNumber(config, place) };
}
