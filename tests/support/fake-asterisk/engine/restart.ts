/**
 * Asterisk stopping or restarting.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine } from '../engine';
import { astTimestamp } from '../util';

/**
 * `core stop now` / `core restart now` (main/asterisk.c can_safely_quit): ast_softhangup_all()
 * asks every channel to hang up with AST_SOFTHANGUP_SHUTDOWN (ChannelHangupRequest, soft, cause
 * 4: the flag), and they go: StasisEnd, ChannelDestroyed. The apps hear it before the sockets close.
 */
export function softHangupAll(e: Engine): void {
  for (const ch of [...e.channels.values()]) {
    if (ch.dead) continue;
    e.apps.channelEvent(ch, () => ({ cause: 4, soft: true, type: 'ChannelHangupRequest', timestamp: astTimestamp(), channel: e.channelJson(ch) }));
    e.destroyChannel(ch, 16);
  }
}

/** Asterisk restarts: every channel, bridge, playback and app vanishes, silently. astdb stays. */
export function wipe(e: Engine): void {
  for (const ch of e.channels.values()) {
    ch.dead = true;
    if (ch.dial?.timer) clearTimeout(ch.dial.timer);
    if (ch.wake) ch.wake.resolve('hangup');
    if (ch.stasis) ch.stasis.done.resolve({ kind: 'hangup' });
    ch.phone?.channels.delete(ch);
  }
  e.channels.clear();
  e.channelsByName.clear();
  e.bridges.clear();
  e.playbacks.clear();
  e.playbackHistory.length = 0;
  e.parkingBridges.clear();
  e.apps.reset();
  e.deviceCache.clear();
  // res_stasis_device_state.c populate_cache(): astdb states are cached again at start.
  for (const [k, v] of e.astdb) e.deviceCache.set(`Stasis:${k}`, v);
  e.seq = { unique: e.seq.unique, pjsip: 0, local: 0 };
  e.notify();
}
