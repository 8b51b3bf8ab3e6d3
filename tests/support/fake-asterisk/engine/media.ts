/**
 * Media: music on hold, silence, playbacks (res_stasis_playback.c) and the sound catalogue.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine, Ev } from '../engine';
import { Channel, CONTROLLABLE_SCHEMES, KNOWN_SCHEMES, Playback } from '../state';
import type { Bridge } from '../state';
import { astTimestamp, later, uuid } from '../util';

/** ast_moh_start(): the class asked for, else the channel's MUSICCLASS, else "default". */
export function startChannelMoh(e: Engine, ch: Channel, mohClass: string | undefined): void {
  ch.moh = mohClass && mohClass !== '' ? mohClass : ch.getVar('MUSICCLASS') || 'default';
  if (ch.referWatch) e.referProgress(ch, 200);
  e.notify();
}

export function stopChannelMoh(e: Engine, ch: Channel): void {
  ch.moh = null;
  e.notify();
}

export function startBridgeMoh(e: Engine, b: Bridge, mohClass: string | undefined): void {
  b.moh = mohClass && mohClass !== '' ? mohClass : 'default';
  for (const ch of b.channels) if (ch.referWatch) e.referProgress(ch, 200);
  e.notify();
}

/** The music a channel hears: its own MOH, else its bridge's (holding bridges are silent). */
export function mohOf(e: Engine, ch: Channel): string | null {
  if (ch.moh) return ch.moh;
  if (ch.bridge?.moh) return ch.bridge.moh;
  if (ch.bridge && ch.bridge.bridgeClass === 'basic') {
    // A peer holding the call makes the bridge play hold music to the others.
    for (const other of ch.bridge.channels) if (other !== ch && other.remoteHold) return other.getVar('MUSICCLASS') || 'default';
  }
  return null;
}

export function stopChannelMedia(e: Engine, ch: Channel): void {
  ch.silence = false;
}

/** A sound id of the catalogue (GET /sounds/{id}); "en" only, as the fake has no other language. */
export function soundExists(e: Engine, id: string): boolean {
  return e.sounds.has(id);
}

/** Queues a playback (play_uri is an async control command; 201 is answered with state queued). */
export function createPlayback(e: Engine, target: Channel | Bridge, medias: string[], lang: string | undefined, id: string | undefined): Playback {
  const targetUri = target instanceof Channel ? `channel:${target.id}` : `bridge:${target.id}`;
  const language = lang && lang !== '' ? lang : target instanceof Channel ? target.language : 'en';
  const pb = new Playback(id || uuid(), medias, target, targetUri, language);
  e.playbacks.set(pb.id, pb);
  if (e.playbackHistory.length >= e.playbackHistoryLimit) e.playbackHistory.splice(0, e.playbackHistory.length >>> 1);
  e.playbackHistory.push(pb);
  if (target instanceof Channel) {
    target.playbacks.push(pb);
    // play_uri is queued on the control thread: the 201 answer shows "queued"; the command
    // occupies the control thread from now on, so later commands wait behind it.
    void e.command(target, () => {
      e.controlOf(target).busy = true;
      later(() => beginPlayback(e, pb));
    });
  } else {
    target.playbacks.push(pb);
    if (target.playbacks.length === 1) later(() => beginPlayback(e, pb));
  }
  e.notify();
  return pb;
}

function playbackEvent(e: Engine, pb: Playback, type: string): void {
  const build = (): Ev => ({ type, timestamp: astTimestamp(), playback: pb.toJSON() });
  if (pb.target instanceof Channel) e.apps.channelEvent(pb.target, build);
  else e.apps.bridgeEvent(pb.target, build);
}

function beginPlayback(e: Engine, pb: Playback): void {
  const target = pb.target;
  if (pb.state !== 'queued' || target.dead) {
    e.playbacks.delete(pb.id);
    if (target instanceof Channel) {
      e.controlOf(target).busy = false;
      e.drainCommands(target);
    }
    return;
  }
  if (target instanceof Channel) {
    // Streaming a file deactivates the channel's MOH generator; it does not come back.
    target.moh = null;
    target.silence = false;
    if (target.referWatch) e.referProgress(target, 200);
  } else {
    for (const ch of target.channels) if (ch.referWatch) e.referProgress(ch, 200);
  }
  startMedia(e, pb);
}

function startMedia(e: Engine, pb: Playback): void {
  // play_on_channel(): an unsupported URI scheme is skipped without any event.
  while (!KNOWN_SCHEMES.some((sch) => pb.media.startsWith(sch))) {
    if (pb.index >= pb.medias.length - 1) {
      pb.state = 'done';
      endPlayback(e, pb);
      return;
    }
    pb.index++;
  }
  pb.state = 'playing';
  if (CONTROLLABLE_SCHEMES.some((s) => pb.media.startsWith(s))) pb.controllable = true;
  playbackEvent(e, pb, 'PlaybackStarted');
  e.notify();
  if (pb.media.startsWith('sound:') && !e.soundExists(pb.media.slice('sound:'.length))) {
    // ast_control_streamfile() fails at once: "File x does not exist in any format", then
    // playback_final_update() with res != 0: the next item (continuing), or "failed" if last.
    e.warnings.push(`File ${pb.media.slice('sound:'.length)} does not exist in any format`);
    pb.missing.push(pb.media);
    later(() => {
      if (pb.state === 'playing') e.finishMedia(pb, 'missing');
    });
    return;
  }
  if (e.opts.playbackMode === 'auto') {
    const finish = () => {
      if (pb.state === 'playing') e.finishMedia(pb, 'complete');
    };
    if (e.opts.playbackMs > 0) setTimeout(finish, e.opts.playbackMs).unref();
    else later(finish);
  }
}

/**
 * End of the current media item (res_stasis_playback.c playback_final_update): continuing to
 * the next item, or done.
 */
export function finishMedia(e: Engine, pb: Playback, how: 'complete' | 'stopped' | 'hangup' | 'missing'): void {
  if (pb.state !== 'playing' && pb.state !== 'paused') return;
  const last = pb.index >= pb.medias.length - 1;
  if (how === 'stopped' || how === 'hangup' || last || pb.stopRequested) {
    // playback_final_update(): stopped on request or complete is "done"; cut off by a hangup,
    // or a last item that could not be played (file missing), "failed".
    pb.state = how === 'hangup' || how === 'missing' ? 'failed' : 'done';
    playbackEvent(e, pb, 'PlaybackFinished');
    endPlayback(e, pb);
    return;
  }
  pb.state = 'continuing';
  playbackEvent(e, pb, 'PlaybackContinuing');
  pb.index++;
  startMedia(e, pb);
}

function endPlayback(e: Engine, pb: Playback): void {
  e.playbacks.delete(pb.id);
  const list = pb.target.playbacks;
  const i = list.indexOf(pb);
  if (i >= 0) list.splice(i, 1);
  if (pb.target instanceof Channel) {
    const ch = pb.target;
    e.controlOf(ch).busy = false;
    later(() => e.drainCommands(ch));
  } else {
    const b = pb.target;
    const next = b.playbacks[0];
    if (next) later(() => beginPlayback(e, next));
  }
  e.notify();
}

/** DELETE /playbacks/{id}: 'ok' or 'failed' (not controllable). */
export function stopPlayback(e: Engine, pb: Playback): 'ok' | 'failed' {
  if (pb.state === 'queued') {
    // playback_cancel(): the playback never starts; "done" is published when it would have.
    pb.state = 'done';
    playbackEvent(e, pb, 'PlaybackFinished');
    e.playbacks.delete(pb.id);
    const list = pb.target.playbacks;
    const i = list.indexOf(pb);
    if (i >= 0) list.splice(i, 1);
    return 'ok';
  }
  if (pb.state === 'done' || pb.state === 'failed') return 'ok';
  if (!pb.controllable) return 'failed';
  if (CONTROLLABLE_SCHEMES.some((s) => pb.media.startsWith(s))) {
    e.finishMedia(pb, 'stopped');
  } else {
    // STREAM_STOP queued while a digits:/number: item plays: it ends after that item.
    pb.stopRequested = true;
  }
  return 'ok';
}

/** POST /playbacks/{id}/control. */
export function controlPlayback(e: Engine, pb: Playback, op: string): 'ok' | 'failed' | 'not-playing' {
  const playing = pb.state === 'playing';
  const paused = pb.state === 'paused';
  const continuing = pb.state === 'continuing';
  if (op === 'pause') {
    if (paused) return 'ok';
    if (!playing && !continuing) return 'not-playing';
    if (!pb.controllable) return 'failed';
    pb.state = 'paused';
    playbackEvent(e, pb, 'PlaybackContinuing');
    return 'ok';
  }
  if (op === 'unpause') {
    if (playing || continuing) return 'ok';
    if (!paused) return 'not-playing';
    if (!pb.controllable) return 'failed';
    pb.state = 'playing';
    playbackEvent(e, pb, 'PlaybackStarted');
    return 'ok';
  }
  if (op === 'restart' && pb.state === 'queued') return 'ok';
  if (!playing && !continuing) return 'not-playing';
  return pb.controllable ? 'ok' : 'failed';
}

export function finishChannelPlaybacks(e: Engine, ch: Channel, hangup: boolean): void {
  for (const pb of [...ch.playbacks]) {
    if (pb.state === 'playing' || pb.state === 'paused') e.finishMedia(pb, hangup ? 'hangup' : 'stopped');
    else if (pb.state === 'queued') {
      // control_flush_queue(): a play command still queued is dropped without events.
      pb.state = 'done';
      e.playbacks.delete(pb.id);
      ch.playbacks.splice(ch.playbacks.indexOf(pb), 1);
    }
  }
}

export function finishBridgePlaybacks(e: Engine, b: Bridge): void {
  for (const pb of [...b.playbacks]) {
    if (pb.state === 'playing' || pb.state === 'paused') e.finishMedia(pb, 'hangup');
    e.playbacks.delete(pb.id);
  }
  b.playbacks.length = 0;
}
