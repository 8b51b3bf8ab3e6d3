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
