/**
 * Channels: lookups, creation (PJSIP, Local pairs), state, and hangup and destruction.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine, Ev } from '../engine';
import { causeText, Channel, dialStatusForCause } from '../state';
import type { CallerId, ChannelStateName, Phone } from '../state';
import { astTimestamp, hex8, later, uuid } from '../util';

/** By uniqueid (ast_channel_snapshot_get_latest, stasis control lookup). */
export function channel(e: Engine, id: string): Channel | undefined {
  return e.channels.get(id);
}

/** By uniqueid or name, name case-insensitive (ast_channel_get_by_name). */
export function channelByNameOrId(e: Engine, idOrName: string): Channel | undefined {
  return e.channels.get(idOrName) ?? e.channelsByName.get(idOrName.toLowerCase());
}

export function channelJson(e: Engine, ch: Channel): Record<string, unknown> {
  return ch.toJSON(e.opts.channelvars, readFn(e, ch));
}

function readFn(e: Engine, ch: Channel): (name: string) => string | undefined {
  return (name) => e.readVar(ch, name);
}

export function nextUniqueId(e: Engine): string {
  return `${Math.floor(Date.now() / 1000)}.${e.seq.unique++}`;
}

export function idConflicts(e: Engine, ...ids: Array<string | undefined>): boolean {
  return ids.some((id) => !!id && e.channels.has(id));
}

export function createPjsipChannel(
  e: Engine,
  phone: Phone,
  opts: { id?: string; outgoing: boolean; state: ChannelStateName; caller: CallerId; context: string; exten: string },
): Channel {
  const name = `PJSIP/${phone.number}-${hex8(e.seq.pjsip++)}`;
  const ch = new Channel(opts.id ?? e.nextUniqueId(), name, 'PJSIP', phone.number, phone, opts.outgoing, {
    state: opts.state,
    caller: opts.caller,
    context: opts.context,
    exten: opts.exten,
    protocolId: uuid(),
  });
  register(e, ch);
  return ch;
}

/** core_local.c: "Local/<exten>@<context>-%08x;1" and ";2", both created at ast_request(). */
export function createLocalPair(e: Engine, dest: string, id1?: string, id2?: string): [Channel, Channel] {
  const seq = hex8(e.seq.local++);
  const at = dest.indexOf('@');
  const exten = at >= 0 ? dest.slice(0, at) : dest;
  const context = at >= 0 ? dest.slice(at + 1).split('/')[0] : 'default';
  const base = `Local/${exten}@${context}-${seq}`;
  const one = new Channel(id1 ?? e.nextUniqueId(), `${base};1`, 'Local', dest, null, true, {
    state: 'Down',
    caller: { name: '', number: '' },
    context: 'default',
    exten: 's',
    protocolId: '',
  });
  const two = new Channel(id2 ?? e.nextUniqueId(), `${base};2`, 'Local', dest, null, false, {
    state: 'Ring',
    caller: { name: '', number: '' },
    context,
    exten,
    protocolId: '',
  });
  one.localPeer = two;
  two.localPeer = one;
  register(e, one);
  register(e, two);
  return [one, two];
}

function register(e: Engine, ch: Channel): void {
  e.channels.set(ch.id, ch);
  e.channelsByName.set(ch.name.toLowerCase(), ch);
  if (ch.phone) {
    ch.phone.channels.add(ch);
    e.updateEndpointDevice(ch.phone);
    e.endpointEvent(ch.phone);
  }
  e.apps.channelEvent(ch, () => ({ type: 'ChannelCreated', timestamp: astTimestamp(), channel: e.channelJson(ch) }));
  e.notify();
}

export function setState(e: Engine, ch: Channel, state: ChannelStateName): void {
  if (ch.dead || ch.state === state) return;
  ch.state = state;
  e.apps.channelEvent(ch, () => ({ type: 'ChannelStateChange', timestamp: astTimestamp(), channel: e.channelJson(ch) }));
  if (ch.phone) e.updateEndpointDevice(ch.phone);
  if (state === 'Up' && ch.referWatch) e.referProgress(ch, 200);
  if (state === 'Up' && ch.tech === 'Local' && ch.localPeer && ch.localPeer.dial) e.answerOutgoing(ch.localPeer);
  e.notify();
}

/** Sets a dialplan location as shown in the channel snapshot. */
export function setLocation(e: Engine, ch: Channel, context: string, exten: string, priority: number): void {
  ch.context = context;
  ch.exten = exten;
  ch.priority = priority;
}

/**
 * DELETE /channels/{id} (resource_channels.c ast_ari_channels_hangup): hangup cause set, then
 * ast_softhangup(chan, AST_SOFTHANGUP_EXPLICIT): ChannelHangupRequest carries cause 32 (the
 * soft hangup flag) and soft: true.
 */
export function ariHangup(e: Engine, ch: Channel, cause: number): void {
  ch.hangupCause = cause;
  e.apps.channelEvent(ch, () => {
    const ev: Ev = { cause: 32, soft: true } as unknown as Ev;
    if (ch.techCause) ev.tech_cause = ch.techCause;
    ev.type = 'ChannelHangupRequest';
    ev.timestamp = astTimestamp();
    ev.channel = e.channelJson(ch);
    return ev;
  });
  if (ch.dial && !ch.dial.outcome.settled) {
    // Ringing outgoing call: monitor_dial() reads the hangup and publishes the dial status.
    e.publishDial(ch.dial.caller, ch, ch.dial.dialstring, dialStatusForCause(cause));
    e.finishDial(ch, { answered: false, cause });
    e.destroyChannel(ch, cause);
    return;
  }
  e.destroyChannel(ch, cause);
}

/**
 * The far end hung up (BYE from the phone, or a SIP error response): chan_pjsip
 * ast_queue_hangup() publishes ChannelHangupRequest with the cause (and tech cause).
 */
export function remoteHangup(e: Engine, ch: Channel, cause: number, techCause = 0): void {
  if (ch.dead) return;
  ch.hangupCause = cause;
  if (techCause) ch.techCause = techCause;
  e.apps.channelEvent(ch, () => {
    const ev: Ev = { cause } as unknown as Ev;
    if (ch.techCause) ev.tech_cause = ch.techCause;
    ev.type = 'ChannelHangupRequest';
    ev.timestamp = astTimestamp();
    ev.channel = e.channelJson(ch);
    return ev;
  });
  e.destroyChannel(ch, cause, techCause);
}

/**
 * Tears a channel down in Asterisk's order: playbacks finish, the channel leaves its bridge,
 * StasisEnd, then ChannelDestroyed (to apps still subscribed), and the Local peer goes too.
 */
export function destroyChannel(e: Engine, ch: Channel, cause: number, techCause = 0): void {
  if (ch.dead) return;
  if (!ch.hangupCause) ch.hangupCause = cause;
  if (techCause) ch.techCause = techCause;
  if (ch.dial && !ch.dial.outcome.settled) {
    // monitor_dial(): the ringing channel hung up; its dial status is published first.
    e.publishDial(ch.dial.caller, ch, ch.dial.dialstring, dialStatusForCause(ch.hangupCause));
    e.finishDial(ch, { answered: false, cause: ch.hangupCause });
  }
  e.finishChannelPlaybacks(ch, true);
  if (ch.bridge) e.leaveBridge(ch, 'hangup');
  if (ch.stasis) {
    const control = ch.stasis;
    ch.stasis = null;
    e.sendStasisEnd(control.app, ch);
    e.failQueuedCommands(ch);
    control.done.resolve({ kind: 'hangup' });
  }
  if (ch.parkedSlot !== null) ch.parkedSlot = null;
  ch.dead = true;
  ch.moh = null;
  const json = e.channelJson(ch);
  e.apps.channelEvent(ch, () => {
    const ev: Ev = {
      type: 'ChannelDestroyed',
      timestamp: astTimestamp(),
      cause: ch.hangupCause,
      cause_txt: causeText(ch.hangupCause),
    };
    if (ch.techCause) ev.tech_cause = ch.techCause;
    ev.channel = json;
    return ev;
  });
  for (const appName of [...ch.subs.keys()]) e.apps.unsubscribeChannel(appName, ch, true);
  e.channels.delete(ch.id);
  if (e.channelsByName.get(ch.name.toLowerCase()) === ch) e.channelsByName.delete(ch.name.toLowerCase());
  if (ch.phone) {
    ch.phone.channels.delete(ch);
    e.updateEndpointDevice(ch.phone);
    e.endpointEvent(ch.phone);
  }
  if (ch.wake) ch.wake.resolve('hangup');
  const peer = ch.localPeer;
  if (peer && !peer.dead) {
    // Local channel halves go down together (core_unreal / core_local hangup).
    // The survivor gets ast_queue_hangup_with_cause() with this half's cause (0 included).
    later(() => {
      if (!peer.dead) e.remoteHangup(peer, ch.hangupCause);
    });
  }
  e.notify();
}
