import type { ChannelSnapshot } from '../ports';
import type { ServiceContext } from './context';

/**
 * Calls the service bridged (a retrieval, an answered ring-back or hunt-group call, an API
 * delivery, a returned call): two sides in a mixing bridge, each an ordinary call. A side
 * that hangs up takes the other with it. A transfer by either side puts a Local channel in its
 * place (Asterisk's blind_transfer_bridge / attended_transfer_bridge for Stasis bridges): the
 * call goes on with that channel, and when the Local half that runs the dialplan comes back to
 * be parked, the real caller on the other side is the one parked (issue 19).
 */
interface Side {
  id: string;
  /** Channel names this side has had: a transfer's Local half names the transferer by them. */
  names: string[];
}

export interface ConnectedCall {
  bridgeId: string;
  sides: [Side, Side];
}

export class ConnectedCalls {
  private readonly byChannel = new Map<string, ConnectedCall>();
  private readonly byName = new Map<string, ConnectedCall>();

  add(bridgeId: string, parties: Array<{ id: string; name: string | undefined }>): ConnectedCall {
    const [a, b] = parties.map((p) => ({ id: p.id, names: p.name ? [p.name] : [] }));
    const call: ConnectedCall = { bridgeId, sides: [a, b] };
    for (const side of call.sides) this.index(call, side);
    return call;
  }

  of(channelId: string): ConnectedCall | undefined {
    return this.byChannel.get(channelId);
  }

  /** The call one of whose sides is, or was before a transfer, the channel named `name`. */
  ofName(name: string): ConnectedCall | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** A transfer put `channel` in the place of `replacedId`; false when that is no side of ours. */
  replace(replacedId: string, channel: { id: string; name: string }): boolean {
    const call = this.byChannel.get(replacedId);
    if (!call) return false;
    const side = call.sides.find((s) => s.id === replacedId)!;
    this.byChannel.delete(replacedId);
    side.id = channel.id;
    side.names.push(channel.name);
    this.index(call, side);
    return true;
  }

  remove(call: ConnectedCall): void {
    for (const side of call.sides) {
      if (this.byChannel.get(side.id) === call) this.byChannel.delete(side.id);
      for (const name of side.names) if (this.byName.get(name.toLowerCase()) === call) this.byName.delete(name.toLowerCase());
    }
  }

  get size(): number {
    return this.byChannel.size;
  }

  private index(call: ConnectedCall, side: Side): void {
    this.byChannel.set(side.id, call);
    for (const name of side.names) this.byName.set(name.toLowerCase(), call);
  }
}

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
  if (!call) return;
  ctx.connected.remove(call);
  const others = call.sides.map((s) => s.id).filter((id) => id !== channelId);
  Promise.allSettled([...others.map((id) => ctx.ari.hangup(id)), ctx.ari.destroyBridge(call.bridgeId)]).catch(() => undefined);
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
