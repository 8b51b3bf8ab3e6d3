import type { ChannelSnapshot } from '../ports';
import type { ConnectedCall } from '../domain/connected-calls';
import type { ServiceContext } from './context';

/** Watches a call the service just bridged: from now on it is an ordinary call. */
export function watchConnectedCall(ctx: ServiceContext, bridgeId: string, channelIds: string[]): void {
  ctx.connected.add(
    bridgeId,
    channelIds.map((id) => ({ id, name: ctx.channelNames.get(id) })),
  );
}

/** A side left Stasis (hung up): the other side is hung up and the bridge removed. */
export function connectedSideLeft(ctx: ServiceContext, channelId: string): void {
  const call = ctx.connected.of(channelId);
  if (call) void takeSide(ctx, call, channelId).release();
}

/**
 * A transfer swapped a side out (StasisStart of the Local half Asterisk imparts in its place,
 * with replace_channel): the call goes on with it. Asterisk bridges it itself.
 */
export function connectedSideReplaced(ctx: ServiceContext, channel: ChannelSnapshot, replacedId: string): boolean {
  return ctx.connected.replace(replacedId, channel);
}

/** One side taken out of a connected call to be parked; `release` ends what is left of it. */
export interface TakenSide {
  channelId: string;
  release: () => Promise<void>;
}

/**
 * Takes a side out of its connected call, to park it: the call stops being watched (the other
 * side leaving no longer hangs it up). `release` hangs up the other side (the transferer's
 * Local half or the parker's held leg) and removes the bridge, once the side is parked.
 */
export function takeSide(ctx: ServiceContext, call: ConnectedCall, channelId: string): TakenSide {
  ctx.connected.remove(call);
  const others = call.sides.map((s) => s.id).filter((id) => id !== channelId);
  return {
    channelId,
    release: async () => {
      await Promise.allSettled([...others.map((id) => ctx.ari.hangup(id)), ctx.ari.destroyBridge(call.bridgeId)]);
    },
  };
}

/**
 * A Local half came to be parked after a transfer out of a connected call: `transferer` (the
 * BLINDTRANSFER / ATTENDEDTRANSFER variable) names the side that transferred, so the caller to
 * park is the other side. Null when the channel is not such a Local half.
 */
export function takeTransferredPeer(ctx: ServiceContext, channel: ChannelSnapshot, transferer: string | undefined): TakenSide | null {
  if (!transferer || !channel.name.startsWith('Local/')) return null;
  const call = ctx.connected.ofName(transferer);
  if (!call) return null;
  const peer = call.sides.find((s) => !s.names.some((n) => n.toLowerCase() === transferer.toLowerCase()));
  if (!peer) return null;
  const taken = takeSide(ctx, call, peer.id);
  const release = taken.release;
  // The Local half that brought the park code goes too (its other half follows it).
  taken.release = async () => {
    await Promise.allSettled([release(), ctx.ari.hangup(channel.id)]);
  };
  return taken;
}
