/**
 * Outgoing calls: the dial a channel is placed on (ast_call, monitor_dial) and how the phone answers it.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine, Ev } from '../engine';
import { causeForSipStatus, dialStatusForCause, sipStatusForCause } from '../state';
import type { Channel, DialAttempt } from '../state';
import { astTimestamp, deferred, later } from '../util';

/** ast_channel_publish_dial(): Dial event to apps subscribed to the caller or the peer. */
export function publishDial(e: Engine, caller: Channel | null, peer: Channel, dialstring: string, status: string): void {
  e.apps.multiChannelEvent([caller, peer], () => {
    const ev: Ev = {
      type: 'Dial',
      timestamp: astTimestamp(),
      dialstatus: status,
      forward: '',
      dialstring,
    };
    if (caller) ev.caller = e.channelJson(caller);
    ev.peer = e.channelJson(peer);
    return ev;
  });
}

/**
 * Places an outgoing call on an already created channel (ast_call + monitor_dial): records the
 * INVITE, lets the phone react per its behaviour, and resolves with the outcome.
 */
export function placeCall(e: Engine, ch: Channel, caller: Channel | null, dialstring: string, timeoutMs: number): DialAttempt {
  const attempt: DialAttempt = {
    outcome: deferred(),
    timeoutMs,
    timer: null,
    caller,
    dialstring,
    publish: true,
  };
  ch.dial = attempt;
  ch.dialedBy = caller;
  e.publishDial(caller, ch, dialstring, '');
  if (ch.tech === 'PJSIP' && ch.phone) {
    const phone = ch.phone;
    phone.invites.push({
      channelId: ch.id,
      channelName: ch.name,
      callerId: { ...ch.connected },
      headers: { ...ch.headers },
      variables: Object.fromEntries(ch.vars),
      at: Date.now(),
    });
    if (timeoutMs > 0) {
      attempt.timer = setTimeout(() => e.expireRinging(ch), timeoutMs);
      attempt.timer.unref?.();
    }
    const behavior = phone.behavior;
    if (behavior === 'busy') {
      later(() => e.phoneReject(ch, 17));
    } else {
      // 180 Ringing from the phone.
      later(() => {
        if (ch.dead || !ch.dial || ch.dial.outcome.settled) return;
        e.setState(ch, 'Ringing');
        e.publishDial(caller, ch, dialstring, 'RINGING');
        if (behavior === 'answer') later(() => e.phoneAnswer(ch));
      });
    }
  } else if (ch.tech === 'Local' && ch.localPeer) {
    const two = ch.localPeer;
    // ast_unreal_call_setup(): ;2 gets a copy of ;1's variables, then runs the dialplan.
    for (const [k, v] of ch.vars) two.vars.set(k, v);
    two.caller = { ...ch.connected };
    two.connected = { ...ch.caller };
    if (timeoutMs > 0) {
      attempt.timer = setTimeout(() => e.expireRinging(ch), timeoutMs);
      attempt.timer.unref?.();
    }
    later(() => {
      if (!two.dead) e.startPbx(two, two.context, two.exten, 1);
    });
  }
  return attempt;
}

export function finishDial(e: Engine, ch: Channel, result: { answered: boolean; cause: number; sipStatus?: number }): void {
  const d = ch.dial;
  if (!d || d.outcome.settled) return;
  if (d.timer) clearTimeout(d.timer);
  d.outcome.resolve(result);
  ch.dial = null;
}

/** The phone answers (200 OK). */
export function phoneAnswer(e: Engine, ch: Channel): void {
  e.answerOutgoing(ch);
}

/** An outgoing call is answered: state Up, Dial ANSWER, the dialer's wait ends. */
export function answerOutgoing(e: Engine, ch: Channel): void {
  if (ch.dead || !ch.dial || ch.dial.outcome.settled) return;
  const d = ch.dial;
  e.setState(ch, 'Up');
  e.publishDial(d.caller, ch, d.dialstring, 'ANSWER');
  e.finishDial(ch, { answered: true, cause: 0 });
}

/** The phone rejects with a Q.850 cause mapped to a SIP status (486 busy, 603 decline...). */
export function phoneReject(e: Engine, ch: Channel, cause: number, sipStatus = sipStatusForCause(cause)): void {
  if (ch.dead || !ch.dial || ch.dial.outcome.settled) return;
  const d = ch.dial;
  const astCause = causeForSipStatus(sipStatus);
  // chan_pjsip_session_end(): tech cause = SIP status, cause from ast_sip_hangup_sip2cause().
  ch.hangupCause = astCause;
  ch.techCause = sipStatus;
  e.apps.channelEvent(ch, () => ({
    cause: astCause,
    tech_cause: sipStatus,
    type: 'ChannelHangupRequest',
    timestamp: astTimestamp(),
    channel: e.channelJson(ch),
  }));
  e.publishDial(d.caller, ch, d.dialstring, dialStatusForCause(astCause));
  e.finishDial(ch, { answered: false, cause: astCause, sipStatus });
  e.destroyChannel(ch, astCause, sipStatus);
}

/** The dial timeout fired (main/dial.c handle_timeout_trip): hung up with cause 19, no event before. */
export function expireRinging(e: Engine, ch: Channel): void {
  if (ch.dead || !ch.dial || ch.dial.outcome.settled) return;
  ch.hangupCause = 19;
  e.finishDial(ch, { answered: false, cause: 19 });
  e.destroyChannel(ch, 19);
}
