/**
 * Stasis: entering, leaving and moving between apps (res_stasis.c), and each Stasis channel's
 * control command queue (res/stasis/control.c).
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine, Ev } from '../engine';
import type { StasisApp } from '../apps';
import type { Channel, StasisExit } from '../state';
import { astTimestamp, deferred } from '../util';

/** Pending control commands of a Stasis channel (res/stasis/control.c command queue). */
export interface ControlQueue {
  busy: boolean;
  queue: Array<{ run: () => void; fail: () => void }>;
}

/**
 * Stasis(app,args) (apps/app_stasis.c, res/res_stasis.c stasis_app_exec). Returns null when the
 * app is not registered or not active (STASISSTATUS=FAILED), else the way the channel left.
 */
export function enterStasis(
  e: Engine,
  ch: Channel,
  appName: string,
  args: string[],
  replace?: Record<string, unknown>,
): Promise<StasisExit> | null {
  const app = e.apps.get(appName);
  if (!app || !app.active || ch.dead) return null;
  const done = deferred<StasisExit>();
  ch.stasis = { app: appName, args, done };
  e.apps.subscribeChannel(appName, ch);
  const ev: Ev = { type: 'StasisStart', timestamp: astTimestamp(), args: [...args], channel: e.channelJson(ch) };
  if (replace) ev.replace_channel = replace;
  e.apps.send(app, ev);
  e.notify();
  return done.promise;
}

/** The channel leaves Stasis: departs its bridge, then StasisEnd (res_stasis.c, end of stasis_app_exec). */
export function leaveStasis(e: Engine, ch: Channel, exit: StasisExit): void {
  const control = ch.stasis;
  if (!control) return;
  if (ch.bridge) e.leaveBridge(ch, 'depart');
  // A playback still running (async goto out of Stasis) is interrupted first.
  e.finishChannelPlaybacks(ch, true);
  e.stopChannelMedia(ch);
  ch.stasis = null;
  sendStasisEnd(e, control.app, ch);
  failQueuedCommands(e, ch);
  control.done.resolve(exit);
  e.notify();
}

export function sendStasisEnd(e: Engine, appName: string, ch: Channel, json?: Record<string, unknown>): void {
  const app = e.apps.get(appName);
  const channel = json ?? e.channelJson(ch);
  e.apps.unsubscribeChannel(appName, ch);
  if (app) e.apps.send(app, { type: 'StasisEnd', timestamp: astTimestamp(), channel });
}

/** POST /channels/{id}/move: StasisEnd for the old app, StasisStart for the new one. */
export function moveStasis(e: Engine, ch: Channel, appName: string, args: string[]): void {
  const control = ch.stasis;
  if (!control) return;
  const next = e.apps.get(appName);
  if (!next || !next.active) {
    const old = e.apps.get(control.app);
    if (old) {
      e.apps.send(old, {
        type: 'ApplicationMoveFailed',
        timestamp: astTimestamp(),
        channel: e.channelJson(ch),
        destination: appName,
        args,
      });
    }
    return;
  }
  if (ch.bridge) {
    // The bridge subscription follows the control (res_stasis.c exec loop re-subscribes).
    e.apps.unsubscribeBridge(control.app, ch.bridge);
    e.apps.subscribeBridge(appName, ch.bridge);
  }
  sendStasisEnd(e, control.app, ch);
  control.app = appName;
  control.args = args;
  e.apps.subscribeChannel(appName, ch);
  e.apps.send(next, { type: 'StasisStart', timestamp: astTimestamp(), args: [...args], channel: e.channelJson(ch) });
  e.notify();
}

/** A channel's PBX after it left Stasis (used for channels that entered Stasis outside runPbx). */
export function afterStasis(e: Engine, ch: Channel, exit: StasisExit): void {
  while (ch.movedTo) ch = ch.movedTo;
  if (ch.dead) return;
  if (exit.kind === 'hangup') return;
  e.startPbx(ch, exit.context, exit.exten, exit.priority);
}

/** All apps currently registered (GET /applications). */
export function appList(e: Engine): StasisApp[] {
  return [...e.apps.apps.values()];
}

export function controlOf(e: Engine, ch: Channel): ControlQueue {
  let q = e.controls.get(ch);
  if (!q) {
    q = { busy: false, queue: [] };
    e.controls.set(ch, q);
  }
  return q;
}

/**
 * Runs a control command on a Stasis channel. A playback occupies the channel's control thread:
 * commands sent meanwhile wait for it (stasis_app_send_command[_async] in res/stasis/control.c).
 * Resolves true when executed, false when the channel left Stasis first.
 */
export function command(e: Engine, ch: Channel, run: () => void): Promise<boolean> {
  const q = controlOf(e, ch);
  if (!q.busy) {
    run();
    return Promise.resolve(true);
  }
  return new Promise<boolean>((resolve) => {
    q.queue.push({
      run: () => {
        run();
        resolve(true);
      },
      fail: () => resolve(false),
    });
  });
}

export function drainCommands(e: Engine, ch: Channel): void {
  const q = controlOf(e, ch);
  while (!q.busy && q.queue.length > 0 && ch.stasis && !ch.dead) q.queue.shift()!.run();
}

export function failQueuedCommands(e: Engine, ch: Channel): void {
  const q = controlOf(e, ch);
  q.busy = false;
  const pending = q.queue.splice(0);
  for (const c of pending) c.fail();
}
