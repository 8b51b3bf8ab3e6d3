/**
 * The PBX side of a channel: running the dialplan, its events, waits and async gotos.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine } from '../engine';
import type { Channel, WakeReason } from '../state';
import { astTimestamp, deferred } from '../util';
import { runPbx } from '../dialplan/pbx';

export function startPbx(e: Engine, ch: Channel, context: string, exten: string, priority: number): void {
  e.setLocation(ch, context, exten, priority);
  void runPbx(e, ch);
}

/** ChannelDialplan when the PBX runs a priority (app.c channel_dialplan monitor). */
export function dialplanEvent(e: Engine, ch: Channel): void {
  e.apps.channelEvent(ch, () => ({
    type: 'ChannelDialplan',
    timestamp: astTimestamp(),
    dialplan_app: ch.appName,
    dialplan_app_data: ch.appData,
    channel: e.channelJson(ch),
  }));
}

/**
 * End of __ast_pbx_run(): ast_softhangup(AST_SOFTHANGUP_APPUNLOAD) publishes a
 * ChannelHangupRequest whose "cause" is that flag (16), then ast_hangup() with the channel's
 * hangup cause: the one Hangup() set (default 16), or 0 when the dialplan simply ran out.
 */
export function pbxEnded(e: Engine, ch: Channel): void {
  if (ch.dead) return;
  e.apps.channelEvent(ch, () => ({ cause: 16, soft: true, type: 'ChannelHangupRequest', timestamp: astTimestamp(), channel: e.channelJson(ch) }));
  e.destroyChannel(ch, ch.hangupCause);
}

export function waitWake(e: Engine, ch: Channel): Promise<WakeReason> {
  if (ch.dead) return Promise.resolve('hangup');
  const d = deferred<WakeReason>();
  ch.wake = d;
  return d.promise.then((r) => {
    if (ch.wake === d) ch.wake = null;
    return r;
  });
}

/**
 * Async goto (ast_async_goto): the channel leaves what it is doing and continues at the
 * location. In Stasis this ends Stasis (StasisEnd) and the dialplan resumes there.
 */
export function asyncGoto(e: Engine, ch: Channel, context: string, exten: string, priority: number): void {
  if (ch.dead) return;
  ch.asyncGoto = { context, exten, priority };
  if (ch.stasis) {
    e.leaveStasis(ch, { kind: 'redirect', context, exten, priority });
    return;
  }
  if (ch.parkedSlot !== null) ch.parkedSlot = null;
  if (ch.bridge) {
    e.leaveBridge(ch, 'goto');
  } else if (ch.wake) {
    ch.wake.resolve('goto');
  } else if (!ch.pbxRunning) {
    const g = ch.asyncGoto;
    ch.asyncGoto = null;
    e.startPbx(ch, g.context, g.exten, g.priority);
  }
  e.notify();
}
