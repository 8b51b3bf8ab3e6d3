/**
 * The fake Asterisk's core: channel lifecycle, Stasis, bridges, playbacks, device states,
 * outgoing calls, transfers and res_parking, all synchronous and in event order. ARI handlers
 * (resources/*), the dialplan interpreter (dialplan/pbx.ts) and the control API call into it.
 *
 * Where a behaviour follows Asterisk's source, the comment names the file and function.
 *
 * This class is the facade: it holds the state and the waitFor machinery, and each section's
 * logic lives in engine/<section>.ts as functions taking the engine as `e`. A section calls
 * another only through the engine (`e.joinBridge(...)`, never an import), so the modules do not
 * depend on each other, and a wrapper set on an instance (tests/bench/lib/soak-tracker.ts wraps
 * destroyChannel, joinBridge...) still sees every path. Members marked "internal" are shared
 * between sections and are not for use outside the fake's engine.
 */
import { AppRegistry } from './apps';
import type { StasisApp } from './apps';
import { Dialplan } from './dialplan/dialplan';
import type { Bridge, BridgeClass, CallerId, Channel, ChannelStateName, DialAttempt, Phone, PhoneBehavior, Playback, ReferRecord, StasisExit, WakeReason } from './state';
import { astTimestamp } from './util';
import CORE_SOUNDS_EN from './data/core-sounds-en.json';
import * as bridges from './engine/bridges';
import * as channels from './engine/channels';
import * as devices from './engine/device-states';
import * as dialling from './engine/dialling';
import * as dtmf from './engine/dtmf';
import * as media from './engine/media';
import * as parking from './engine/parking';
import * as pbx from './engine/pbx';
import * as restart from './engine/restart';
import * as stasis from './engine/stasis';
import type { ControlQueue } from './engine/stasis';
import * as transfers from './engine/transfers';
import * as variables from './engine/variables';

export { DEVICE_STATES } from './engine/device-states';
export { parseCallerId } from './engine/variables';

export interface EngineOptions {
  channelvars: string[];
  playbackMode: 'auto' | 'manual';
  /** In 'auto' mode, how long each media item plays (0: it ends on the next tick). */
  playbackMs: number;
  asteriskId: string;
  version: string;
  /** Sounds installed besides the core sounds (ids as in GET /sounds, e.g. "custom/parked-on"). */
  extraSounds?: string[];
}

/** Modules "loaded" by default: those the project's configuration relies on. */
export const DEFAULT_MODULES = ['res_ari.so', 'res_stasis.so', 'res_parking.so', 'res_musiconhold.so', 'chan_pjsip.so', 'res_pjsip.so', 'func_module.so'];

export type Ev = Record<string, unknown> & { type: string };

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

export class Engine {
  readonly channels = new Map<string, Channel>();
  /** Internal (engine/channels.ts, restart.ts): channels by lower-cased name. */
  readonly channelsByName = new Map<string, Channel>();
  readonly bridges = new Map<string, Bridge>();
  readonly playbacks = new Map<string, Playback>();
  /** Every playback created (for tests), bounded by playbackHistoryLimit. */
  readonly playbackHistory: Playback[] = [];
  playbackHistoryLimit = 10_000;
  readonly phones = new Map<string, Phone>();
  /** astdb StasisDeviceState family: name after "Stasis:" -> state. Survives restart(). */
  readonly astdb = new Map<string, string>();
  /** Internal: last published aggregate device state, for change detection (devicestate.c cache). */
  readonly deviceCache = new Map<string, string>();
  readonly globals = new Map<string, string>();
  readonly apps: AppRegistry;
  readonly dialplan = new Dialplan();
  readonly warnings: string[] = [];
  /** Messages sent with PUT /endpoints/sendMessage, delivered or not. */
  readonly messages: Array<{ to: string; from: string; body: string; variables: Record<string, string>; delivered: boolean; at: number }> = [];
  /** Internal (engine/stasis.ts): each Stasis channel's control command queue. */
  readonly controls = new WeakMap<Channel, ControlQueue>();
  private readonly waiters = new Set<Waiter>();
  private notifyScheduled = false;
  /** Internal: counters for uniqueids and channel names (PJSIP/x-%08x, Local/...-%08x). */
  seq = { unique: 0, pjsip: 0, local: 0 };
  /** Internal (engine/parking.ts): res_parking's holding bridge per lot. */
  readonly parkingBridges = new Map<string, Bridge>();
  readonly startedAt = astTimestamp();
  lastReloadAt = this.startedAt;
  /** Running modules (`module show`); a test may unload one (res_parking.so) with setModuleLoaded. */
  readonly modules = new Set<string>(DEFAULT_MODULES);
  /** The sound catalogue (main/sounds_index.c): the core English sounds 1.6.1, plus extraSounds. */
  readonly sounds = new Map<string, string>();

  constructor(readonly opts: EngineOptions) {
    for (const s of CORE_SOUNDS_EN.sounds) this.sounds.set(s.id, s.text);
    for (const id of opts.extraSounds ?? []) this.sounds.set(id, '');
    this.apps = new AppRegistry(
      () => this.opts.asteriskId,
      () => this.notify(),
    );
  }

  /* ------------------------------------------------------------------ */
  /* change notification (waitFor)                                       */
  /* ------------------------------------------------------------------ */

  notify(): void {
    if (this.notifyScheduled || this.waiters.size === 0) return;
    this.notifyScheduled = true;
    queueMicrotask(() => {
      this.notifyScheduled = false;
      for (const w of [...this.waiters]) {
        let ok = false;
        try {
          ok = w.check();
        } catch {
          ok = false;
        }
        if (ok) {
          this.waiters.delete(w);
          w.resolve();
        }
      }
    });
  }

  waitFor(check: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    try {
      if (check()) return Promise.resolve();
    } catch {
      /* re-checked on the next change */
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`waitFor timed out after ${timeoutMs} ms: ${describe()}`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /* channels: engine/channels.ts */

  channel(id: string): Channel | undefined {
    return channels.channel(this, id);
  }

  channelByNameOrId(idOrName: string): Channel | undefined {
    return channels.channelByNameOrId(this, idOrName);
  }

  channelJson(ch: Channel): Record<string, unknown> {
    return channels.channelJson(this, ch);
  }

  nextUniqueId(): string {
    return channels.nextUniqueId(this);
  }

  idConflicts(...ids: Array<string | undefined>): boolean {
    return channels.idConflicts(this, ...ids);
  }

  createPjsipChannel(phone: Phone, opts: { id?: string; outgoing: boolean; state: ChannelStateName; caller: CallerId; context: string; exten: string }): Channel {
    return channels.createPjsipChannel(this, phone, opts);
  }

  createLocalPair(dest: string, id1?: string, id2?: string): [Channel, Channel] {
    return channels.createLocalPair(this, dest, id1, id2);
  }

  setState(ch: Channel, state: ChannelStateName): void {
    channels.setState(this, ch, state);
  }

  setLocation(ch: Channel, context: string, exten: string, priority: number): void {
    channels.setLocation(this, ch, context, exten, priority);
  }

  ariHangup(ch: Channel, cause: number): void {
    channels.ariHangup(this, ch, cause);
  }

  remoteHangup(ch: Channel, cause: number, techCause?: number): void {
    channels.remoteHangup(this, ch, cause, techCause);
  }

  destroyChannel(ch: Channel, cause: number, techCause?: number): void {
    channels.destroyChannel(this, ch, cause, techCause);
  }

  /* variables: engine/variables.ts */

  setVar(ch: Channel | null, name: string, value: string | undefined): void {
    variables.setVar(this, ch, name, value);
  }

  readVar(ch: Channel | null, name: string): string | undefined {
    return variables.readVar(this, ch, name);
  }

  /* device-states: engine/device-states.ts */

  deviceState(name: string): string {
    return devices.deviceState(this, name);
  }

  endpointEvent(phone: Phone): void {
    devices.endpointEvent(this, phone);
  }

  /** Internal. */
  updateEndpointDevice(phone: Phone): void {
    devices.updateEndpointDevice(this, phone);
  }

  publishDeviceState(device: string, state: string): void {
    devices.publishDeviceState(this, device, state);
  }

  updateStasisDevice(name: string, value: string | undefined): 'ok' | 'not-controlled' | 'missing' | 'unknown' {
    return devices.updateStasisDevice(this, name, value);
  }

  deleteStasisDevice(name: string): 'ok' | 'not-controlled' | 'missing' | 'unknown' {
    return devices.deleteStasisDevice(this, name);
  }

  extensionState(context: string, exten: string): string {
    return devices.extensionState(this, context, exten);
  }

  addPhone(number: string, context: string, behavior: PhoneBehavior, name: string): Phone {
    return devices.addPhone(this, number, context, behavior, name);
  }

  deviceSubscribeAll(appName: string): void {
    devices.deviceSubscribeAll(this, appName);
  }

  /* stasis: engine/stasis.ts */

  enterStasis(ch: Channel, appName: string, args: string[], replace?: Record<string, unknown>): Promise<StasisExit> | null {
    return stasis.enterStasis(this, ch, appName, args, replace);
  }

  leaveStasis(ch: Channel, exit: StasisExit): void {
    stasis.leaveStasis(this, ch, exit);
  }

  /** Internal. */
  sendStasisEnd(appName: string, ch: Channel, json?: Record<string, unknown>): void {
    stasis.sendStasisEnd(this, appName, ch, json);
  }

  moveStasis(ch: Channel, appName: string, args: string[]): void {
    stasis.moveStasis(this, ch, appName, args);
  }

  afterStasis(ch: Channel, exit: StasisExit): void {
    stasis.afterStasis(this, ch, exit);
  }

  appList(): StasisApp[] {
    return stasis.appList(this);
  }

  /** Internal. */
  controlOf(ch: Channel): ControlQueue {
    return stasis.controlOf(this, ch);
  }

  command(ch: Channel, run: () => void): Promise<boolean> {
    return stasis.command(this, ch, run);
  }

  /** Internal. */
  drainCommands(ch: Channel): void {
    stasis.drainCommands(this, ch);
  }

  /** Internal. */
  failQueuedCommands(ch: Channel): void {
    stasis.failQueuedCommands(this, ch);
  }

  /* bridges: engine/bridges.ts */

  createStasisBridge(type: string | undefined, name: string | undefined, id: string | undefined): Bridge | null {
    return bridges.createStasisBridge(this, type, name, id);
  }

  /** Internal. */
  createInternalBridge(cls: BridgeClass, type: 'mixing' | 'holding', creator: string, name: string): Bridge {
    return bridges.createInternalBridge(this, cls, type, creator, name);
  }

  joinBridge(ch: Channel, b: Bridge): void {
    bridges.joinBridge(this, ch, b);
  }

  leaveBridge(ch: Channel, why: 'hangup' | 'depart' | 'goto' | 'kicked'): void {
    bridges.leaveBridge(this, ch, why);
  }

  dissolveBridge(b: Bridge): void {
    bridges.dissolveBridge(this, b);
  }

  destroyStasisBridge(b: Bridge): void {
    bridges.destroyStasisBridge(this, b);
  }

  /* media: engine/media.ts */

  startChannelMoh(ch: Channel, mohClass: string | undefined): void {
    media.startChannelMoh(this, ch, mohClass);
  }

  stopChannelMoh(ch: Channel): void {
    media.stopChannelMoh(this, ch);
  }

  startBridgeMoh(b: Bridge, mohClass: string | undefined): void {
    media.startBridgeMoh(this, b, mohClass);
  }

  mohOf(ch: Channel): string | null {
    return media.mohOf(this, ch);
  }

  /** Internal. */
  stopChannelMedia(ch: Channel): void {
    media.stopChannelMedia(this, ch);
  }

  soundExists(id: string): boolean {
    return media.soundExists(this, id);
  }

  createPlayback(target: Channel | Bridge, medias: string[], lang: string | undefined, id: string | undefined): Playback {
    return media.createPlayback(this, target, medias, lang, id);
  }

  finishMedia(pb: Playback, how: 'complete' | 'stopped' | 'hangup' | 'missing'): void {
    media.finishMedia(this, pb, how);
  }

  stopPlayback(pb: Playback): 'ok' | 'failed' {
    return media.stopPlayback(this, pb);
  }

  controlPlayback(pb: Playback, op: string): 'ok' | 'failed' | 'not-playing' {
    return media.controlPlayback(this, pb, op);
  }

  /** Internal. */
  finishChannelPlaybacks(ch: Channel, hangup: boolean): void {
    media.finishChannelPlaybacks(this, ch, hangup);
  }

  /** Internal. */
  finishBridgePlaybacks(b: Bridge): void {
    media.finishBridgePlaybacks(this, b);
  }

  /* dtmf: engine/dtmf.ts */

  receiveDtmf(ch: Channel, digits: string, durationMs?: number): void {
    dtmf.receiveDtmf(this, ch, digits, durationMs);
  }

  /* dialling: engine/dialling.ts */

  publishDial(caller: Channel | null, peer: Channel, dialstring: string, status: string): void {
    dialling.publishDial(this, caller, peer, dialstring, status);
  }

  placeCall(ch: Channel, caller: Channel | null, dialstring: string, timeoutMs: number): DialAttempt {
    return dialling.placeCall(this, ch, caller, dialstring, timeoutMs);
  }

  finishDial(ch: Channel, result: { answered: boolean; cause: number; sipStatus?: number }): void {
    dialling.finishDial(this, ch, result);
  }

  phoneAnswer(ch: Channel): void {
    dialling.phoneAnswer(this, ch);
  }

  answerOutgoing(ch: Channel): void {
    dialling.answerOutgoing(this, ch);
  }

  phoneReject(ch: Channel, cause: number, sipStatus?: number): void {
    dialling.phoneReject(this, ch, cause, sipStatus);
  }

  expireRinging(ch: Channel): void {
    dialling.expireRinging(this, ch);
  }

  /* pbx: engine/pbx.ts */

  startPbx(ch: Channel, context: string, exten: string, priority: number): void {
    pbx.startPbx(this, ch, context, exten, priority);
  }

  dialplanEvent(ch: Channel): void {
    pbx.dialplanEvent(this, ch);
  }

  pbxEnded(ch: Channel): void {
    pbx.pbxEnded(this, ch);
  }

  waitWake(ch: Channel): Promise<WakeReason> {
    return pbx.waitWake(this, ch);
  }

  asyncGoto(ch: Channel, context: string, exten: string, priority: number): void {
    pbx.asyncGoto(this, ch, context, exten, priority);
  }

  /* transfers: engine/transfers.ts */

  referProgress(ch: Channel, status: number): void {
    transfers.referProgress(this, ch, status);
  }

  blindTransfer(transferer: Channel, exten: string): ReferRecord {
    return transfers.blindTransfer(this, transferer, exten);
  }

  attendedTransfer(held: Channel, consult: Channel): ReferRecord {
    return transfers.attendedTransfer(this, held, consult);
  }

  /* parking: engine/parking.ts */

  park(ch: Channel, lot: string): number {
    return parking.park(this, ch, lot);
  }

  retrieveParked(lot: string): Channel | undefined {
    return parking.retrieveParked(this, lot);
  }

  connectParked(retriever: Channel, parkee: Channel): Bridge {
    return parking.connectParked(this, retriever, parkee);
  }

  bridgeCall(caller: Channel, peer: Channel): Bridge {
    return parking.bridgeCall(this, caller, peer);
  }

  /* restart: engine/restart.ts */

  softHangupAll(): void {
    restart.softHangupAll(this);
  }

  wipe(): void {
    restart.wipe(this);
  }
}
