import { allocatePlace, type ParkTarget } from '../domain/allocate';
import { parseDialled } from '../domain/codes';
import { ParkingError, isParkingError } from '../domain/errors';
import type { Party } from '../domain/parked-call';
import { groupOf, type TenantConfig } from '../domain/tenant';
import type { ChannelSnapshot } from '../ports';
import { endpointOfChannelName } from '../domain/endpoints';
import type { ServiceContext } from './context';
import { takeTransferredPeer } from './connected-calls';
import { refuse } from './conversation';
import { parkByConsult } from './park-by-consult';
import { parkCall } from './park-call';
import { prompts } from './prompts';
import { findCall, retrieveCall } from './retrieve-call';
import { returnToParker } from './return-to-parker';

export type PinVerifier = (hash: string, pin: string) => Promise<boolean>;

/**
 * Entry for every feature code and call park extension: Stasis(parking,code,<tenant>,<dialled>).
 * After a blind transfer the channel is the caller being parked (BLINDTRANSFER names the
 * parker); otherwise it is a phone dialling the code, to park its held call or to retrieve.
 */
export async function handleDialledCode(
  ctx: ServiceContext,
  channel: ChannelSnapshot,
  tenantSlug: string,
  dialled: string,
  verifyPin: PinVerifier,
  receivedAt = performance.now(),
): Promise<void> {
  const transfererChannel = channel.vars.BLINDTRANSFER || null;
  const transferer = transfererChannel ? endpointOfChannelName(transfererChannel) : null;
  const config = await ctx.configs.tenantBySlug(tenantSlug);
  if (!config) {
    ctx.log.warn({ tenantSlug, dialled }, 'parking code for an unknown tenant');
    if (transferer) return returnToParker(ctx, null, channel, transferer, new ParkingError('unknown-code', `no tenant ${tenantSlug}`));
    return refuse(ctx, channel.id, prompts.invalidCode);
  }
  const endpoint = transferer ?? endpointOfChannelName(channel.name);
  const owner = endpoint ? await ctx.configs.endpointOwner(endpoint) : null;
  const extension = owner && owner.config.settings.id === config.settings.id ? owner.extension : null;
  const party: Party = { extension, endpoint };
  const request = parseDialled(dialled, config);
  ctx.log.info({ channelId: channel.id, tenant: tenantSlug, dialled, action: request.action, parker: extension, blind: !!transferer }, 'feature code');

  if (transferer) return blindTransfer(ctx, config, channel, party, request, receivedAt);

  if (!extension || !endpoint) return refuse(ctx, channel.id, prompts.notAllowed);
  const parker = { extension, endpoint };
  switch (request.action) {
    case 'park':
      return parkByConsult(ctx, { config, channel, target: request.target, parker, groupId: null });
    case 'group-park': {
      const group = groupOf(config, extension);
      if (!group) return refuse(ctx, channel.id, prompts.notAllowed);
      return parkByConsult(ctx, { config, channel, target: { group }, parker, groupId: group.id });
    }
    case 'slot': {
      // Dialling a call park extension (or pressing its BLF key) retrieves when it holds a call.
      const place = { kind: 'SLOT' as const, number: request.number };
      if (findCall(ctx, config, place, extension) || !(await hasOtherCall(ctx, endpoint, channel.id))) {
        return retrieveCall(ctx, { config, channel, target: place, retriever: extension, verifyPin, receivedAt });
      }
      return parkByConsult(ctx, { config, channel, target: place, parker, groupId: null });
    }
    case 'retrieve':
      return retrieveCall(ctx, { config, channel, target: request.target, retriever: extension, verifyPin, receivedAt });
    case 'invalid':
      return refuse(ctx, channel.id, prompts.invalidCode);
  }
}

async function hasOtherCall(ctx: ServiceContext, endpoint: string, channelId: string): Promise<boolean> {
  const [technology, resource] = endpoint.split('/');
  const { channelIds } = await ctx.ari.endpoint(technology, resource);
  return channelIds.some((id) => id !== channelId);
}

/**
 * The caller was blind-transferred to a code; the parker is gone, so errors return the call (P8).
 * Out of a call the service bridged, what arrives is the Local half of Asterisk's transfer: the
 * caller on the other side of that call is the one parked.
 */
async function blindTransfer(
  ctx: ServiceContext,
  config: TenantConfig,
  transferred: ChannelSnapshot,
  parker: Party,
  request: ReturnType<typeof parseDialled>,
  receivedAt: number,
): Promise<void> {
  const peer = takeTransferredPeer(ctx, transferred, transferred.vars.BLINDTRANSFER);
  let channel = transferred;
  try {
    if (peer) channel = await ctx.ari.channel(peer.channelId);
    let target: ParkTarget;
    let groupId: string | null = null;
    if (request.action === 'park') target = request.target;
    else if (request.action === 'slot') target = { kind: 'SLOT', number: request.number };
    else if (request.action === 'group-park') {
      const group = groupOf(config, parker.extension);
      if (!group) throw new ParkingError('not-group-member', `${parker.extension ?? 'the transferer'} is in no call park group`);
      target = { group };
      groupId = group.id;
    } else {
      throw new ParkingError('unknown-code', request.action === 'invalid' ? request.reason : 'a call cannot be transferred to a retrieve code');
    }
    const place = allocatePlace({
      config,
      target,
      parker: parker.extension,
      isTaken: (key) => ctx.lots.isTaken(config.settings.id, key),
      random: ctx.random,
    });
    await parkCall(ctx, { config, channel, place, parker, method: 'BLIND_TRANSFER', groupId, tellParkerByMessage: true, receivedAt });
    await peer?.release();
  } catch (err) {
    await peer?.release();
    if (isParkingError(err, 'call-gone')) return;
    const reason = isParkingError(err) ? err : new ParkingError('internal', String(err));
    if (!isParkingError(err)) ctx.log.error({ err }, 'blind park failed');
    await returnToParker(ctx, config, channel, parker.endpoint, reason);
  }
}
