/**
 * The fake Asterisk's core: channel lifecycle, Stasis, bridges, playbacks, device states,
 * outgoing calls, transfers and res_parking, all synchronous and in event order. ARI handlers
 * (resources/*), the dialplan interpreter (dialplan/pbx.ts) and the control API call into it.
 *
 * Where a behaviour follows Asterisk's source, the comment names the file and function.
 */
import { AppRegistry, DEVICE_STATE_ALL } from './apps';
import type { StasisApp } from './apps';
import { Dialplan } from './dialplan/dialplan';
import { runPbx } from './dialplan/pbx';
import { FakeUsageError } from './errors';
import {
  Bridge,
  Channel,
  CONTROLLABLE_SCHEMES,
  KNOWN_SCHEMES,
  Phone,
  Playback,
  causeForSipStatus,
  causeText,
  dialStatusForCause,
  sipStatusForCause,
} from './state';
import type {
  BridgeClass,
  CallerId,
  ChannelStateName,
  DialAttempt,
  PhoneBehavior,
  ReferRecord,
  StasisExit,
  WakeReason,
} from './state';
import { astTimestamp, deferred, hex8, later, uuid } from './util';
import CORE_SOUNDS_EN from './data/core-sounds-en.json';

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

/** Pending control commands of a Stasis channel (res/stasis/control.c command queue). */
interface ControlQueue {
  busy: boolean;
  queue: Array<{ run: () => void; fail: () => void }>;
}

export class Engine {
  readonly channels = new Map<string, Channel>();
  private readonly channelsByName = new Map<string, Channel>();
  readonly bridges = new Map<string, Bridge>();
  readonly playbacks = new Map<string, Playback>();
  /** Every playback created (for tests), bounded by playbackHistoryLimit. */
  readonly playbackHistory: Playback[] = [];
  playbackHistoryLimit = 10_000;
  readonly phones = new Map<string, Phone>();
  /** astdb StasisDeviceState family: name after "Stasis:" -> state. Survives restart(). */
  readonly astdb = new Map<string, string>();
  /** Last published aggregate device state, for change detection (devicestate.c cache). */
  private readonly deviceCache = new Map<string, string>();
  readonly globals = new Map<string, string>();
  readonly apps: AppRegistry;
  readonly dialplan = new Dialplan();
  readonly warnings: string[] = [];
  /** Messages sent with PUT /endpoints/sendMessage, delivered or not. */
  readonly messages: Array<{ to: string; from: string; body: string; variables: Record<string, string>; delivered: boolean; at: number }> = [];
  private readonly controls = new WeakMap<Channel, ControlQueue>();
  private readonly waiters = new Set<Waiter>();
  private notifyScheduled = false;
  private seq = { unique: 0, pjsip: 0, local: 0 };
  private parkingBridges = new Map<string, Bridge>();
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

  /* ------------------------------------------------------------------ */
  /* lookups                                                             */
  /* ------------------------------------------------------------------ */

  /** By uniqueid (ast_channel_snapshot_get_latest, stasis control lookup). */
  channel(id: string): Channel | undefined {
    return this.channels.get(id);
  }

  /** By uniqueid or name, name case-insensitive (ast_channel_get_by_name). */
  channelByNameOrId(idOrName: string): Channel | undefined {
    return this.channels.get(idOrName) ?? this.channelsByName.get(idOrName.toLowerCase());
  }

  channelJson(ch: Channel): Record<string, unknown> {
    return ch.toJSON(this.opts.channelvars, this.readFn(ch));
  }

  private readFn(ch: Channel): (name: string) => string | undefined {
    return (name) => this.readVar(ch, name);
  }

  /* ------------------------------------------------------------------ */
  /* channels                                                            */
  /* ------------------------------------------------------------------ */

  nextUniqueId(): string {
    return `${Math.floor(Date.now() / 1000)}.${this.seq.unique++}`;
  }

  idConflicts(...ids: Array<string | undefined>): boolean {
    return ids.some((id) => !!id && this.channels.has(id));
  }

  createPjsipChannel(
    phone: Phone,
    opts: { id?: string; outgoing: boolean; state: ChannelStateName; caller: CallerId; context: string; exten: string },
  ): Channel {
    const name = `PJSIP/${phone.number}-${hex8(this.seq.pjsip++)}`;
    const ch = new Channel(opts.id ?? this.nextUniqueId(), name, 'PJSIP', phone.number, phone, opts.outgoing, {
      state: opts.state,
      caller: opts.caller,
      context: opts.context,
      exten: opts.exten,
      protocolId: uuid(),
    });
    this.register(ch);
    return ch;
  }

  /** core_local.c: "Local/<exten>@<context>-%08x;1" and ";2", both created at ast_request(). */
  createLocalPair(dest: string, id1?: string, id2?: string): [Channel, Channel] {
    const seq = hex8(this.seq.local++);
    const at = dest.indexOf('@');
    const exten = at >= 0 ? dest.slice(0, at) : dest;
    const context = at >= 0 ? dest.slice(at + 1).split('/')[0] : 'default';
    const base = `Local/${exten}@${context}-${seq}`;
    const one = new Channel(id1 ?? this.nextUniqueId(), `${base};1`, 'Local', dest, null, true, {
      state: 'Down',
      caller: { name: '', number: '' },
      context: 'default',
      exten: 's',
      protocolId: '',
    });
    const two = new Channel(id2 ?? this.nextUniqueId(), `${base};2`, 'Local', dest, null, false, {
      state: 'Ring',
      caller: { name: '', number: '' },
      context,
      exten,
      protocolId: '',
    });
    one.localPeer = two;
    two.localPeer = one;
    this.register(one);
    this.register(two);
    return [one, two];
  }

  private register(ch: Channel): void {
    this.channels.set(ch.id, ch);
    this.channelsByName.set(ch.name.toLowerCase(), ch);
    if (ch.phone) {
      ch.phone.channels.add(ch);
      this.updateEndpointDevice(ch.phone);
      this.endpointEvent(ch.phone);
    }
    this.apps.channelEvent(ch, () => ({ type: 'ChannelCreated', timestamp: astTimestamp(), channel: this.channelJson(ch) }));
    this.notify();
  }

  /** Renames a channel (masquerade). */
  private rename(ch: Channel, name: string): void {
    this.channelsByName.delete(ch.name.toLowerCase());
    ch.name = name;
    this.channelsByName.set(name.toLowerCase(), ch);
  }

  setState(ch: Channel, state: ChannelStateName): void {
    if (ch.dead || ch.state === state) return;
    ch.state = state;
    this.apps.channelEvent(ch, () => ({ type: 'ChannelStateChange', timestamp: astTimestamp(), channel: this.channelJson(ch) }));
    if (ch.phone) this.updateEndpointDevice(ch.phone);
    if (state === 'Up' && ch.referWatch) this.referProgress(ch, 200);
    if (state === 'Up' && ch.tech === 'Local' && ch.localPeer && ch.localPeer.dial) this.answerOutgoing(ch.localPeer);
    this.notify();
  }

  /** Sets a dialplan location as shown in the channel snapshot. */
  setLocation(ch: Channel, context: string, exten: string, priority: number): void {
    ch.context = context;
    ch.exten = exten;
    ch.priority = priority;
  }

  /* ------------------------------------------------------------------ */
  /* variables and functions                                             */
  /* ------------------------------------------------------------------ */

  /**
   * pbx_builtin_setvar_helper(): names ending in ')' are function writes; otherwise the variable
   * is replaced and ChannelVarset published (also for an empty value); a NULL value deletes it
   * and publishes "" only if the old value was not empty.
   */
  setVar(ch: Channel | null, name: string, value: string | undefined): void {
    if (name.endsWith(')')) {
      this.writeFunction(ch, name, value ?? '');
      return;
    }
    const stripped = name.replace(/^__?/, '');
    if (!ch) {
      if (value === undefined) this.globals.delete(stripped);
      else this.globals.set(stripped, value);
      return;
    }
    const old = ch.vars.get(stripped);
    ch.vars.delete(stripped);
    if (value !== undefined) {
      ch.vars.set(stripped, value);
      this.publishVarset(ch, name, value);
    } else if (old) {
      this.publishVarset(ch, name, '');
    }
  }

  private publishVarset(ch: Channel, name: string, value: string): void {
    this.apps.channelEvent(ch, () => ({
      variable: name,
      value,
      type: 'ChannelVarset',
      timestamp: astTimestamp(),
      channel: this.channelJson(ch),
    }));
    this.notify();
  }

  private writeFunction(ch: Channel | null, expr: string, value: string): void {
    const m = /^([A-Za-z_]+)\((.*)\)$/.exec(expr);
    if (!m || !ch) return;
    const fn = m[1].toUpperCase();
    const args = m[2].split(',').map((s) => s.trim());
    if (fn === 'PJSIP_HEADER' && args[0].toLowerCase() === 'add' && args[1]) {
      ch.headers[args[1]] = value;
    } else if (fn === 'PJSIP_HEADER' && args[0].toLowerCase() === 'remove' && args[1]) {
      delete ch.headers[args[1]];
    } else if (fn === 'CALLERID') {
      if (/^num/i.test(args[0])) ch.caller = { ...ch.caller, number: value };
      else if (/^name/i.test(args[0])) ch.caller = { ...ch.caller, name: value };
      else if (/^all/i.test(args[0])) ch.caller = parseCallerId(value);
    } else if (fn === 'CONNECTEDLINE') {
      if (/^num/i.test(args[0])) ch.connected = { ...ch.connected, number: value };
      else if (/^name/i.test(args[0])) ch.connected = { ...ch.connected, name: value };
    } else if (fn === 'CHANNEL' && /^language$/i.test(args[0])) {
      ch.language = value;
    } else if (fn === 'CHANNEL' && /^musicclass$/i.test(args[0])) {
      ch.vars.set('__MUSICCLASS', value);
    }
  }

  /** Reads a variable the way the dialplan does: functions, builtins, channel then globals. */
  readVar(ch: Channel | null, name: string): string | undefined {
    const fm = /^([A-Za-z_]+)\((.*)\)$/.exec(name);
    if (fm) return this.readFunction(ch, fm[1].toUpperCase(), fm[2]);
    if (ch) {
      const v = ch.getVar(name);
      if (v !== undefined) return v;
      switch (name) {
        case 'EXTEN':
          return ch.exten;
        case 'CONTEXT':
          return ch.context;
        case 'PRIORITY':
          return String(ch.priority);
        case 'CHANNEL':
          return ch.name;
        case 'UNIQUEID':
          return ch.id;
        case 'HANGUPCAUSE':
          return String(ch.hangupCause);
        case 'EPOCH':
          return String(Math.floor(Date.now() / 1000));
        case 'LANGUAGE':
          return ch.language;
      }
    }
    return this.globals.get(name.replace(/^__?/, ''));
  }

  private readFunction(ch: Channel | null, fn: string, argText: string): string | undefined {
    const args = argText.split(',').map((s) => s.trim());
    switch (fn) {
      case 'CALLERID':
        if (!ch) return '';
        if (/^num/i.test(args[0])) return ch.caller.number;
        if (/^name/i.test(args[0])) return ch.caller.name;
        if (/^all/i.test(args[0])) return `"${ch.caller.name}" <${ch.caller.number}>`;
        return '';
      case 'CONNECTEDLINE':
        if (!ch) return '';
        return /^num/i.test(args[0]) ? ch.connected.number : ch.connected.name;
      case 'CHANNEL':
        if (!ch) return '';
        if (/^name$/i.test(args[0])) return ch.name;
        if (/^uniqueid$/i.test(args[0])) return ch.id;
        if (/^state$/i.test(args[0])) return ch.state;
        if (/^language$/i.test(args[0])) return ch.language;
        return '';
      case 'LEN':
        return String(argText.length);
      case 'PJSIP_HEADER':
        if (!ch) return '';
        return ch.headers[args[1] ?? ''] ?? '';
      case 'DEVICE_STATE':
        return this.deviceState(argText);
      case 'EXTENSION_STATE': {
        const [ext, ctx] = argText.split('@');
        return this.extensionState(ctx || 'default', ext).toUpperCase().replace('&', '');
      }
      case 'GLOBAL':
        return this.globals.get(argText) ?? '';
      case 'IFMODULE':
        // funcs/func_module.c: "1" if the module is running, else "0".
        return this.modules.has(argText.trim()) ? '1' : '0';
      default:
        return undefined;
    }
  }

  /* ------------------------------------------------------------------ */
  /* device states (res_stasis_device_state.c, devicestate.c, chan_pjsip) */
  /* ------------------------------------------------------------------ */

  /** ast_device_state(): Stasis: devices from astdb, PJSIP/x from its channels, else INVALID/UNKNOWN. */
  deviceState(name: string): string {
    const slash = name.indexOf('/');
    if (slash < 0) {
      const colon = name.indexOf(':');
      if (colon < 0) return 'INVALID';
      const provider = name.slice(0, colon);
      if (provider.toLowerCase() !== 'stasis') return 'INVALID';
      return this.astdb.get(name.slice(colon + 1)) ?? 'UNKNOWN';
    }
    const tech = name.slice(0, slash).toUpperCase();
    if (tech !== 'PJSIP') return tech === 'LOCAL' ? 'NOT_INUSE' : 'INVALID';
    const phone = this.phones.get(name.slice(slash + 1));
    if (!phone) return 'INVALID';
    return this.pjsipDeviceState(phone);
  }

  private pjsipDeviceState(phone: Phone): string {
    if (!phone.online) return 'UNAVAILABLE';
    let inuse = false;
    let ringing = false;
    let hold = false;
    for (const ch of phone.channels) {
      if (ch.dead) continue;
      if (ch.outgoing && (ch.state === 'Ringing' || ch.state === 'Down')) ringing = true;
      else if (ch.remoteHold) hold = true;
      else inuse = true;
    }
    if (ringing && (inuse || hold)) return 'RINGINUSE';
    if (ringing) return 'RINGING';
    if (inuse) return 'INUSE';
    if (hold) return 'ONHOLD';
    return 'NOT_INUSE';
  }

  /** EndpointStateChange: the endpoint snapshot changes with its channels (stasis_endpoints.c). */
  endpointEvent(phone: Phone): void {
    this.apps.endpointEvent('PJSIP', phone.number, () => ({
      type: 'EndpointStateChange',
      timestamp: astTimestamp(),
      endpoint: phone.toJSON(),
    }));
  }

  private updateEndpointDevice(phone: Phone): void {
    this.publishDeviceState(`PJSIP/${phone.number}`, this.pjsipDeviceState(phone));
  }

  /** Publishes DeviceStateChanged when the aggregate state changed (device_state_aggregate_calc). */
  publishDeviceState(device: string, state: string): void {
    if (this.deviceCache.get(device) === state) return;
    this.deviceCache.set(device, state);
    this.apps.deviceEvent(device, () => ({
      type: 'DeviceStateChanged',
      application: '',
      timestamp: astTimestamp(),
      device_state: { name: device, state },
    }));
    this.notify();
  }

  /** stasis_app_device_state_update(): returns the ARI outcome. */
  updateStasisDevice(name: string, value: string | undefined): 'ok' | 'not-controlled' | 'missing' | 'unknown' {
    if (name.slice(0, 7).toLowerCase() !== 'stasis:') return 'not-controlled';
    const key = name.slice(7);
    if (key === '') return 'missing';
    const state = value === undefined ? undefined : DEVICE_STATES.find((s) => s === value.toUpperCase());
    if (!state || state === 'UNKNOWN') return 'unknown';
    this.astdb.set(key, state);
    this.publishDeviceState(`Stasis:${key}`, state);
    return 'ok';
  }

  /** stasis_app_device_state_delete(). */
  deleteStasisDevice(name: string): 'ok' | 'not-controlled' | 'missing' | 'unknown' {
    if (name.slice(0, 7).toLowerCase() !== 'stasis:') return 'not-controlled';
    const key = name.slice(7);
    if (key === '') return 'missing';
    const device = `Stasis:${key}`;
    if (!this.deviceCache.has(device) && !this.astdb.has(key)) return 'unknown';
    this.astdb.delete(key);
    this.publishDeviceState(device, 'UNKNOWN');
    return 'ok';
  }

  /** ast_extension_state() for a hint: aggregate of its devices, as an extension state name. */
  extensionState(context: string, exten: string): string {
    const hint = this.dialplan.hint(context, exten);
    if (hint === undefined) return 'Unknown';
    const devices = hint.split(',')[0].split('&').map((d) => d.trim()).filter(Boolean);
    const order: Record<string, number> = {
      UNKNOWN: 1, NOT_INUSE: 3, INUSE: 6, BUSY: 7, INVALID: 0, UNAVAILABLE: 2, RINGING: 5, RINGINUSE: 8, ONHOLD: 4,
    };
    let agg = 'INVALID';
    let ringing = false;
    let inuse = false;
    for (const d of devices) {
      const s = this.deviceState(d);
      if (s === 'RINGING') ringing = true;
      else if (s === 'INUSE' || s === 'ONHOLD' || s === 'BUSY') inuse = true;
      if (ringing && inuse) agg = 'RINGINUSE';
      else if (order[s] > order[agg]) agg = s;
    }
    switch (agg) {
      case 'ONHOLD':
        return 'Hold';
      case 'BUSY':
        return 'Busy';
      case 'UNKNOWN':
      case 'NOT_INUSE':
        return 'Idle';
      case 'UNAVAILABLE':
      case 'INVALID':
        return 'Unavailable';
      case 'RINGINUSE':
        return 'InUse&Ringing';
      case 'RINGING':
        return 'Ringing';
      case 'INUSE':
        return 'InUse';
      default:
        return 'Idle';
    }
  }

  /* ------------------------------------------------------------------ */
  /* Stasis                                                              */
  /* ------------------------------------------------------------------ */

  /**
   * Stasis(app,args) (apps/app_stasis.c, res/res_stasis.c stasis_app_exec). Returns null when the
   * app is not registered or not active (STASISSTATUS=FAILED), else the way the channel left.
   */
  enterStasis(
    ch: Channel,
    appName: string,
    args: string[],
    replace?: Record<string, unknown>,
  ): Promise<StasisExit> | null {
    const app = this.apps.get(appName);
    if (!app || !app.active || ch.dead) return null;
    const done = deferred<StasisExit>();
    ch.stasis = { app: appName, args, done };
    this.apps.subscribeChannel(appName, ch);
    const ev: Ev = { type: 'StasisStart', timestamp: astTimestamp(), args: [...args], channel: this.channelJson(ch) };
    if (replace) ev.replace_channel = replace;
    this.apps.send(app, ev);
    this.notify();
    return done.promise;
  }

  /** The channel leaves Stasis: departs its bridge, then StasisEnd (res_stasis.c, end of stasis_app_exec). */
  leaveStasis(ch: Channel, exit: StasisExit): void {
    const control = ch.stasis;
    if (!control) return;
    if (ch.bridge) this.leaveBridge(ch, 'depart');
    // A playback still running (async goto out of Stasis) is interrupted first.
    this.finishChannelPlaybacks(ch, true);
    this.stopChannelMedia(ch);
    ch.stasis = null;
    this.sendStasisEnd(control.app, ch);
    this.failQueuedCommands(ch);
    control.done.resolve(exit);
    this.notify();
  }

  private sendStasisEnd(appName: string, ch: Channel, json?: Record<string, unknown>): void {
    const app = this.apps.get(appName);
    const channel = json ?? this.channelJson(ch);
    this.apps.unsubscribeChannel(appName, ch);
    if (app) this.apps.send(app, { type: 'StasisEnd', timestamp: astTimestamp(), channel });
  }

  /** POST /channels/{id}/move: StasisEnd for the old app, StasisStart for the new one. */
  moveStasis(ch: Channel, appName: string, args: string[]): void {
    const control = ch.stasis;
    if (!control) return;
    const next = this.apps.get(appName);
    if (!next || !next.active) {
      const old = this.apps.get(control.app);
      if (old) {
        this.apps.send(old, {
          type: 'ApplicationMoveFailed',
          timestamp: astTimestamp(),
          channel: this.channelJson(ch),
          destination: appName,
          args,
        });
      }
      return;
    }
    if (ch.bridge) {
      // The bridge subscription follows the control (res_stasis.c exec loop re-subscribes).
      this.apps.unsubscribeBridge(control.app, ch.bridge);
      this.apps.subscribeBridge(appName, ch.bridge);
    }
    this.sendStasisEnd(control.app, ch);
    control.app = appName;
    control.args = args;
    this.apps.subscribeChannel(appName, ch);
    this.apps.send(next, { type: 'StasisStart', timestamp: astTimestamp(), args: [...args], channel: this.channelJson(ch) });
    this.notify();
  }

  /* -------------------- control command queue ------------------------ */

  private controlOf(ch: Channel): ControlQueue {
    let q = this.controls.get(ch);
    if (!q) {
      q = { busy: false, queue: [] };
      this.controls.set(ch, q);
    }
    return q;
  }

  /**
   * Runs a control command on a Stasis channel. A playback occupies the channel's control thread:
   * commands sent meanwhile wait for it (stasis_app_send_command[_async] in res/stasis/control.c).
   * Resolves true when executed, false when the channel left Stasis first.
   */
  command(ch: Channel, run: () => void): Promise<boolean> {
    const q = this.controlOf(ch);
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

  private drainCommands(ch: Channel): void {
    const q = this.controlOf(ch);
    while (!q.busy && q.queue.length > 0 && ch.stasis && !ch.dead) q.queue.shift()!.run();
  }

  private failQueuedCommands(ch: Channel): void {
    const q = this.controlOf(ch);
    q.busy = false;
    const pending = q.queue.splice(0);
    for (const c of pending) c.fail();
  }

  /* ------------------------------------------------------------------ */
  /* hangup and destruction                                              */
  /* ------------------------------------------------------------------ */

  /**
   * DELETE /channels/{id} (resource_channels.c ast_ari_channels_hangup): hangup cause set, then
   * ast_softhangup(chan, AST_SOFTHANGUP_EXPLICIT): ChannelHangupRequest carries cause 32 (the
   * soft hangup flag) and soft: true.
   */
  ariHangup(ch: Channel, cause: number): void {
    ch.hangupCause = cause;
    this.apps.channelEvent(ch, () => {
      const ev: Ev = { cause: 32, soft: true } as unknown as Ev;
      if (ch.techCause) ev.tech_cause = ch.techCause;
      ev.type = 'ChannelHangupRequest';
      ev.timestamp = astTimestamp();
      ev.channel = this.channelJson(ch);
      return ev;
    });
    if (ch.dial && !ch.dial.outcome.settled) {
      // Ringing outgoing call: monitor_dial() reads the hangup and publishes the dial status.
      this.publishDial(ch.dial.caller, ch, ch.dial.dialstring, dialStatusForCause(cause));
      this.finishDial(ch, { answered: false, cause });
      this.destroyChannel(ch, cause);
      return;
    }
    this.destroyChannel(ch, cause);
  }

  /**
   * The far end hung up (BYE from the phone, or a SIP error response): chan_pjsip
   * ast_queue_hangup() publishes ChannelHangupRequest with the cause (and tech cause).
   */
  remoteHangup(ch: Channel, cause: number, techCause = 0): void {
    if (ch.dead) return;
    ch.hangupCause = cause;
    if (techCause) ch.techCause = techCause;
    this.apps.channelEvent(ch, () => {
      const ev: Ev = { cause } as unknown as Ev;
      if (ch.techCause) ev.tech_cause = ch.techCause;
      ev.type = 'ChannelHangupRequest';
      ev.timestamp = astTimestamp();
      ev.channel = this.channelJson(ch);
      return ev;
    });
    this.destroyChannel(ch, cause, techCause);
  }

  /**
   * Tears a channel down in Asterisk's order: playbacks finish, the channel leaves its bridge,
   * StasisEnd, then ChannelDestroyed (to apps still subscribed), and the Local peer goes too.
   */
  destroyChannel(ch: Channel, cause: number, techCause = 0): void {
    if (ch.dead) return;
    if (!ch.hangupCause) ch.hangupCause = cause;
    if (techCause) ch.techCause = techCause;
    if (ch.dial && !ch.dial.outcome.settled) {
      // monitor_dial(): the ringing channel hung up; its dial status is published first.
      this.publishDial(ch.dial.caller, ch, ch.dial.dialstring, dialStatusForCause(ch.hangupCause));
      this.finishDial(ch, { answered: false, cause: ch.hangupCause });
    }
    this.finishChannelPlaybacks(ch, true);
    if (ch.bridge) this.leaveBridge(ch, 'hangup');
    if (ch.stasis) {
      const control = ch.stasis;
      ch.stasis = null;
      this.sendStasisEnd(control.app, ch);
      this.failQueuedCommands(ch);
      control.done.resolve({ kind: 'hangup' });
    }
    if (ch.parkedSlot !== null) ch.parkedSlot = null;
    ch.dead = true;
    ch.moh = null;
    const json = this.channelJson(ch);
    this.apps.channelEvent(ch, () => {
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
    for (const appName of [...ch.subs.keys()]) this.apps.unsubscribeChannel(appName, ch, true);
    this.channels.delete(ch.id);
    if (this.channelsByName.get(ch.name.toLowerCase()) === ch) this.channelsByName.delete(ch.name.toLowerCase());
    if (ch.phone) {
      ch.phone.channels.delete(ch);
      this.updateEndpointDevice(ch.phone);
      this.endpointEvent(ch.phone);
    }
    if (ch.wake) ch.wake.resolve('hangup');
    const peer = ch.localPeer;
    if (peer && !peer.dead) {
      // Local channel halves go down together (core_unreal / core_local hangup).
      // The survivor gets ast_queue_hangup_with_cause() with this half's cause (0 included).
      later(() => {
        if (!peer.dead) this.remoteHangup(peer, ch.hangupCause);
      });
    }
    this.notify();
  }

  /* ------------------------------------------------------------------ */
  /* bridges                                                             */
  /* ------------------------------------------------------------------ */

  /** stasis_app_bridge_create() (res_stasis.c bridge_create_common). Returns null for bad types. */
  createStasisBridge(type: string | undefined, name: string | undefined, id: string | undefined): Bridge | null {
    const requested = (type && type !== '' ? type : 'mixing').split(',').map((t) => t.trim());
    let mixing = false;
    let holding = false;
    let video = 'talker';
    for (const t of requested) {
      if (t === 'mixing') mixing = true;
      else if (t === 'holding') holding = true;
      else if (t === 'video_sfu') {
        video = 'sfu';
        mixing = true;
      } else if (t === 'video_single') video = 'single';
    }
    if ((!mixing && !holding) || (mixing && holding)) return null;
    const b = new Bridge(id || uuid(), holding ? 'holding' : 'mixing', 'stasis', 'Stasis', name ?? '', video, requested);
    this.bridges.set(b.id, b);
    this.apps.bridgeEvent(b, () => ({ type: 'BridgeCreated', timestamp: astTimestamp(), bridge: b.toJSON() }));
    this.notify();
    return b;
  }

  private createInternalBridge(cls: BridgeClass, type: 'mixing' | 'holding', creator: string, name: string): Bridge {
    const b = new Bridge(uuid(), type, cls, creator, name, 'none');
    this.bridges.set(b.id, b);
    this.apps.bridgeEvent(b, () => ({ type: 'BridgeCreated', timestamp: astTimestamp(), bridge: b.toJSON() }));
    return b;
  }

  /** Adds a channel to a bridge (departing its current one first), publishing ChannelEnteredBridge. */
  joinBridge(ch: Channel, b: Bridge): void {
    if (ch.dead || b.dead) return;
    if (ch.bridge === b) return;
    if (ch.bridge) this.leaveBridge(ch, 'depart');
    // control_swap_channel_in_bridge(): the app subscribes to the bridge before joining.
    if (ch.stasis) this.apps.subscribeBridge(ch.stasis.app, b);
    b.channels.push(ch);
    ch.bridge = b;
    if (b.bridgeClass === 'basic') this.updateBridgePeers(b);
    this.apps.bridgeEvent(b, () => ({
      type: 'ChannelEnteredBridge',
      timestamp: astTimestamp(),
      bridge: b.toJSON(),
      channel: this.channelJson(ch),
    }));
    if (ch.referWatch) this.referProgress(ch, 200);
    if (ch.phone) this.updateEndpointDevice(ch.phone);
    this.notify();
  }

  /**
   * A channel leaves its bridge. `why`: 'hangup' (the channel is going away), 'depart' (ARI
   * removeChannel/continue/move to another bridge), 'goto' (async goto: transfer, redirect),
   * 'kicked' (the bridge dissolved).
   */
  leaveBridge(ch: Channel, why: 'hangup' | 'depart' | 'goto' | 'kicked'): void {
    const b = ch.bridge;
    if (!b) return;
    const idx = b.channels.indexOf(ch);
    if (idx >= 0) b.channels.splice(idx, 1);
    ch.bridge = null;
    this.apps.bridgeEvent(b, () => ({
      type: 'ChannelLeftBridge',
      timestamp: astTimestamp(),
      bridge: b.toJSON(),
      channel: this.channelJson(ch),
    }));
    // internal_bridge_after_cb(): the app's bridge subscription ends when its channel leaves;
    // when the bridge is being destroyed, it lasts until BridgeDestroyed went out.
    if (why !== 'kicked' && ch.stasis && b.subs.has(ch.stasis.app)) this.apps.unsubscribeBridge(ch.stasis.app, b);
    // res_stasis.c bridge_moh_create(): the bridge's music channel joins with
    // AST_BRIDGE_CHANNEL_FLAG_LONELY, so it leaves (and the music stops) with the last caller.
    if (b.channels.length === 0) b.moh = null;
    if (b.bridgeClass === 'basic') {
      // A two-party basic bridge (Dial, ParkedCall) ends when a party leaves: the other is kicked.
      if (b.channels.length < 2 && !b.dead) this.dissolveBridge(b);
      else this.updateBridgePeers(b);
    } else if (b.bridgeClass === 'parking' && b.channels.length === 0 && !b.dead) {
      this.destroyBridgeInternal(b);
    }
    if (why !== 'hangup' && ch.wake) ch.wake.resolve(why === 'goto' ? 'goto' : 'bridge-ended');
    if (why !== 'hangup' && !ch.dead && !ch.stasis && !ch.pbxRunning) {
      // An imparted channel (Dial callee, Local half) leaving a bridge runs its after-bridge
      // goto if it has one, else it is hung up (bridge_channel_ind_thread).
      later(() => {
        if (ch.dead || ch.bridge || ch.stasis || ch.pbxRunning) return;
        const g = ch.asyncGoto;
        if (g) {
          ch.asyncGoto = null;
          this.startPbx(ch, g.context, g.exten, g.priority);
        } else {
          this.destroyChannel(ch, 16);
        }
      });
    }
    this.notify();
  }

  private updateBridgePeers(b: Bridge): void {
    if (b.channels.length === 2) {
      const [a, c] = b.channels;
      a.vars.set('BRIDGEPEER', c.name);
      c.vars.set('BRIDGEPEER', a.name);
    }
  }

  /** Kicks every channel out and destroys the bridge (bridge dissolve). */
  dissolveBridge(b: Bridge): void {
    b.dead = true;
    for (const ch of [...b.channels]) this.leaveBridge(ch, 'kicked');
    this.destroyBridgeInternal(b);
  }

  private destroyBridgeInternal(b: Bridge): void {
    b.dead = true;
    this.finishBridgePlaybacks(b);
    this.bridges.delete(b.id);
    for (const [lot, pb] of this.parkingBridges) if (pb === b) this.parkingBridges.delete(lot);
    this.apps.bridgeEvent(b, () => ({ type: 'BridgeDestroyed', timestamp: astTimestamp(), bridge: b.toJSON() }));
    for (const appName of [...b.subs.keys()]) this.apps.unsubscribeBridge(appName, b, true);
    this.notify();
  }

  /** DELETE /bridges/{id} (stasis_app_bridge_destroy): channels are kicked but stay in Stasis. */
  destroyStasisBridge(b: Bridge): void {
    b.dead = true;
    for (const ch of [...b.channels]) this.leaveBridge(ch, 'kicked');
    this.destroyBridgeInternal(b);
  }

  /* ------------------------------------------------------------------ */
  /* media: moh, silence, playbacks                                      */
  /* ------------------------------------------------------------------ */

  /** ast_moh_start(): the class asked for, else the channel's MUSICCLASS, else "default". */
  startChannelMoh(ch: Channel, mohClass: string | undefined): void {
    ch.moh = mohClass && mohClass !== '' ? mohClass : ch.getVar('MUSICCLASS') || 'default';
    if (ch.referWatch) this.referProgress(ch, 200);
    this.notify();
  }

  stopChannelMoh(ch: Channel): void {
    ch.moh = null;
    this.notify();
  }

  startBridgeMoh(b: Bridge, mohClass: string | undefined): void {
    b.moh = mohClass && mohClass !== '' ? mohClass : 'default';
    for (const ch of b.channels) if (ch.referWatch) this.referProgress(ch, 200);
    this.notify();
  }

  /** The music a channel hears: its own MOH, else its bridge's (holding bridges are silent). */
  mohOf(ch: Channel): string | null {
    if (ch.moh) return ch.moh;
    if (ch.bridge?.moh) return ch.bridge.moh;
    if (ch.bridge && ch.bridge.bridgeClass === 'basic') {
      // A peer holding the call makes the bridge play hold music to the others.
      for (const other of ch.bridge.channels) if (other !== ch && other.remoteHold) return other.getVar('MUSICCLASS') || 'default';
    }
    return null;
  }

  private stopChannelMedia(ch: Channel): void {
    ch.silence = false;
  }

  /** A sound id of the catalogue (GET /sounds/{id}); "en" only, as the fake has no other language. */
  soundExists(id: string): boolean {
    return this.sounds.has(id);
  }

  /** Queues a playback (play_uri is an async control command; 201 is answered with state queued). */
  createPlayback(target: Channel | Bridge, medias: string[], lang: string | undefined, id: string | undefined): Playback {
    const targetUri = target instanceof Channel ? `channel:${target.id}` : `bridge:${target.id}`;
    const language = lang && lang !== '' ? lang : target instanceof Channel ? target.language : 'en';
    const pb = new Playback(id || uuid(), medias, target, targetUri, language);
    this.playbacks.set(pb.id, pb);
    if (this.playbackHistory.length >= this.playbackHistoryLimit) this.playbackHistory.splice(0, this.playbackHistory.length >>> 1);
    this.playbackHistory.push(pb);
    if (target instanceof Channel) {
      target.playbacks.push(pb);
      // play_uri is queued on the control thread: the 201 answer shows "queued"; the command
      // occupies the control thread from now on, so later commands wait behind it.
      void this.command(target, () => {
        this.controlOf(target).busy = true;
        later(() => this.beginPlayback(pb));
      });
    } else {
      target.playbacks.push(pb);
      if (target.playbacks.length === 1) later(() => this.beginPlayback(pb));
    }
    this.notify();
    return pb;
  }

  private playbackEvent(pb: Playback, type: string): void {
    const build = (): Ev => ({ type, timestamp: astTimestamp(), playback: pb.toJSON() });
    if (pb.target instanceof Channel) this.apps.channelEvent(pb.target, build);
    else this.apps.bridgeEvent(pb.target, build);
  }

  private beginPlayback(pb: Playback): void {
    const target = pb.target;
    if (pb.state !== 'queued' || target.dead) {
      this.playbacks.delete(pb.id);
      if (target instanceof Channel) {
        this.controlOf(target).busy = false;
        this.drainCommands(target);
      }
      return;
    }
    if (target instanceof Channel) {
      // Streaming a file deactivates the channel's MOH generator; it does not come back.
      target.moh = null;
      target.silence = false;
      if (target.referWatch) this.referProgress(target, 200);
    } else {
      for (const ch of target.channels) if (ch.referWatch) this.referProgress(ch, 200);
    }
    this.startMedia(pb);
  }

  private startMedia(pb: Playback): void {
    // play_on_channel(): an unsupported URI scheme is skipped without any event.
    while (!KNOWN_SCHEMES.some((sch) => pb.media.startsWith(sch))) {
      if (pb.index >= pb.medias.length - 1) {
        pb.state = 'done';
        this.endPlayback(pb);
        return;
      }
      pb.index++;
    }
    pb.state = 'playing';
    if (CONTROLLABLE_SCHEMES.some((s) => pb.media.startsWith(s))) pb.controllable = true;
    this.playbackEvent(pb, 'PlaybackStarted');
    this.notify();
    if (pb.media.startsWith('sound:') && !this.soundExists(pb.media.slice('sound:'.length))) {
      // ast_control_streamfile() fails at once: "File x does not exist in any format", then
      // playback_final_update() with res != 0: the next item (continuing), or "failed" if last.
      this.warnings.push(`File ${pb.media.slice('sound:'.length)} does not exist in any format`);
      pb.missing.push(pb.media);
      later(() => {
        if (pb.state === 'playing') this.finishMedia(pb, 'missing');
      });
      return;
    }
    if (this.opts.playbackMode === 'auto') {
      const finish = () => {
        if (pb.state === 'playing') this.finishMedia(pb, 'complete');
      };
      if (this.opts.playbackMs > 0) setTimeout(finish, this.opts.playbackMs).unref();
      else later(finish);
    }
  }

  /**
   * End of the current media item (res_stasis_playback.c playback_final_update): continuing to
   * the next item, or done.
   */
  finishMedia(pb: Playback, how: 'complete' | 'stopped' | 'hangup' | 'missing'): void {
    if (pb.state !== 'playing' && pb.state !== 'paused') return;
    const last = pb.index >= pb.medias.length - 1;
    if (how === 'stopped' || how === 'hangup' || last || pb.stopRequested) {
      // playback_final_update(): stopped on request or complete is "done"; cut off by a hangup,
      // or a last item that could not be played (file missing), "failed".
      pb.state = how === 'hangup' || how === 'missing' ? 'failed' : 'done';
      this.playbackEvent(pb, 'PlaybackFinished');
      this.endPlayback(pb);
      return;
    }
    pb.state = 'continuing';
    this.playbackEvent(pb, 'PlaybackContinuing');
    pb.index++;
    this.startMedia(pb);
  }

  private endPlayback(pb: Playback): void {
    this.playbacks.delete(pb.id);
    const list = pb.target.playbacks;
    const i = list.indexOf(pb);
    if (i >= 0) list.splice(i, 1);
    if (pb.target instanceof Channel) {
      const ch = pb.target;
      this.controlOf(ch).busy = false;
      later(() => this.drainCommands(ch));
    } else {
      const b = pb.target;
      const next = b.playbacks[0];
      if (next) later(() => this.beginPlayback(next));
    }
    this.notify();
  }

  /** DELETE /playbacks/{id}: 'ok' or 'failed' (not controllable). */
  stopPlayback(pb: Playback): 'ok' | 'failed' {
    if (pb.state === 'queued') {
      // playback_cancel(): the playback never starts; "done" is published when it would have.
      pb.state = 'done';
      this.playbackEvent(pb, 'PlaybackFinished');
      this.playbacks.delete(pb.id);
      const list = pb.target.playbacks;
      const i = list.indexOf(pb);
      if (i >= 0) list.splice(i, 1);
      return 'ok';
    }
    if (pb.state === 'done' || pb.state === 'failed') return 'ok';
    if (!pb.controllable) return 'failed';
    if (CONTROLLABLE_SCHEMES.some((s) => pb.media.startsWith(s))) {
      this.finishMedia(pb, 'stopped');
    } else {
      // STREAM_STOP queued while a digits:/number: item plays: it ends after that item.
      pb.stopRequested = true;
    }
    return 'ok';
  }

  /** POST /playbacks/{id}/control. */
  controlPlayback(pb: Playback, op: string): 'ok' | 'failed' | 'not-playing' {
    const playing = pb.state === 'playing';
    const paused = pb.state === 'paused';
    const continuing = pb.state === 'continuing';
    if (op === 'pause') {
      if (paused) return 'ok';
      if (!playing && !continuing) return 'not-playing';
      if (!pb.controllable) return 'failed';
      pb.state = 'paused';
      this.playbackEvent(pb, 'PlaybackContinuing');
      return 'ok';
    }
    if (op === 'unpause') {
      if (playing || continuing) return 'ok';
      if (!paused) return 'not-playing';
      if (!pb.controllable) return 'failed';
      pb.state = 'playing';
      this.playbackEvent(pb, 'PlaybackStarted');
      return 'ok';
    }
    if (op === 'restart' && pb.state === 'queued') return 'ok';
    if (!playing && !continuing) return 'not-playing';
    return pb.controllable ? 'ok' : 'failed';
  }

  private finishChannelPlaybacks(ch: Channel, hangup: boolean): void {
    for (const pb of [...ch.playbacks]) {
      if (pb.state === 'playing' || pb.state === 'paused') this.finishMedia(pb, hangup ? 'hangup' : 'stopped');
      else if (pb.state === 'queued') {
        // control_flush_queue(): a play command still queued is dropped without events.
        pb.state = 'done';
        this.playbacks.delete(pb.id);
        ch.playbacks.splice(ch.playbacks.indexOf(pb), 1);
      }
    }
  }

  private finishBridgePlaybacks(b: Bridge): void {
    for (const pb of [...b.playbacks]) {
      if (pb.state === 'playing' || pb.state === 'paused') this.finishMedia(pb, 'hangup');
      this.playbacks.delete(pb.id);
    }
    b.playbacks.length = 0;
  }

  /* ------------------------------------------------------------------ */
  /* DTMF                                                                */
  /* ------------------------------------------------------------------ */

  /** DTMF from the phone: ChannelDtmfReceived per digit (stasis_channels.c dtmf_end_to_json). */
  receiveDtmf(ch: Channel, digits: string, durationMs = 100): void {
    for (const digit of digits) {
      if (ch.dead) return;
      this.apps.channelEvent(ch, () => ({
        type: 'ChannelDtmfReceived',
        timestamp: astTimestamp(),
        digit,
        duration_ms: durationMs,
        channel: this.channelJson(ch),
      }));
    }
    this.notify();
  }

  /* ------------------------------------------------------------------ */
  /* outgoing calls                                                      */
  /* ------------------------------------------------------------------ */

  /** ast_channel_publish_dial(): Dial event to apps subscribed to the caller or the peer. */
  publishDial(caller: Channel | null, peer: Channel, dialstring: string, status: string): void {
    this.apps.multiChannelEvent([caller, peer], () => {
      const ev: Ev = {
        type: 'Dial',
        timestamp: astTimestamp(),
        dialstatus: status,
        forward: '',
        dialstring,
      };
      if (caller) ev.caller = this.channelJson(caller);
      ev.peer = this.channelJson(peer);
      return ev;
    });
  }

  /**
   * Places an outgoing call on an already created channel (ast_call + monitor_dial): records the
   * INVITE, lets the phone react per its behaviour, and resolves with the outcome.
   */
  placeCall(ch: Channel, caller: Channel | null, dialstring: string, timeoutMs: number): DialAttempt {
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
    this.publishDial(caller, ch, dialstring, '');
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
        attempt.timer = setTimeout(() => this.expireRinging(ch), timeoutMs);
        attempt.timer.unref?.();
      }
      const behavior = phone.behavior;
      if (behavior === 'busy') {
        later(() => this.phoneReject(ch, 17));
      } else {
        // 180 Ringing from the phone.
        later(() => {
          if (ch.dead || !ch.dial || ch.dial.outcome.settled) return;
          this.setState(ch, 'Ringing');
          this.publishDial(caller, ch, dialstring, 'RINGING');
          if (behavior === 'answer') later(() => this.phoneAnswer(ch));
        });
      }
    } else if (ch.tech === 'Local' && ch.localPeer) {
      const two = ch.localPeer;
      // ast_unreal_call_setup(): ;2 gets a copy of ;1's variables, then runs the dialplan.
      for (const [k, v] of ch.vars) two.vars.set(k, v);
      two.caller = { ...ch.connected };
      two.connected = { ...ch.caller };
      if (timeoutMs > 0) {
        attempt.timer = setTimeout(() => this.expireRinging(ch), timeoutMs);
        attempt.timer.unref?.();
      }
      later(() => {
        if (!two.dead) this.startPbx(two, two.context, two.exten, 1);
      });
    }
    return attempt;
  }

  finishDial(ch: Channel, result: { answered: boolean; cause: number; sipStatus?: number }): void {
    const d = ch.dial;
    if (!d || d.outcome.settled) return;
    if (d.timer) clearTimeout(d.timer);
    d.outcome.resolve(result);
    ch.dial = null;
  }

  /** The phone answers (200 OK). */
  phoneAnswer(ch: Channel): void {
    this.answerOutgoing(ch);
  }

  /** An outgoing call is answered: state Up, Dial ANSWER, the dialer's wait ends. */
  answerOutgoing(ch: Channel): void {
    if (ch.dead || !ch.dial || ch.dial.outcome.settled) return;
    const d = ch.dial;
    this.setState(ch, 'Up');
    this.publishDial(d.caller, ch, d.dialstring, 'ANSWER');
    this.finishDial(ch, { answered: true, cause: 0 });
  }

  /** The phone rejects with a Q.850 cause mapped to a SIP status (486 busy, 603 decline...). */
  phoneReject(ch: Channel, cause: number, sipStatus = sipStatusForCause(cause)): void {
    if (ch.dead || !ch.dial || ch.dial.outcome.settled) return;
    const d = ch.dial;
    const astCause = causeForSipStatus(sipStatus);
    // chan_pjsip_session_end(): tech cause = SIP status, cause from ast_sip_hangup_sip2cause().
    ch.hangupCause = astCause;
    ch.techCause = sipStatus;
    this.apps.channelEvent(ch, () => ({
      cause: astCause,
      tech_cause: sipStatus,
      type: 'ChannelHangupRequest',
      timestamp: astTimestamp(),
      channel: this.channelJson(ch),
    }));
    this.publishDial(d.caller, ch, d.dialstring, dialStatusForCause(astCause));
    this.finishDial(ch, { answered: false, cause: astCause, sipStatus });
    this.destroyChannel(ch, astCause, sipStatus);
  }

  /** The dial timeout fired (main/dial.c handle_timeout_trip): hung up with cause 19, no event before. */
  expireRinging(ch: Channel): void {
    if (ch.dead || !ch.dial || ch.dial.outcome.settled) return;
    ch.hangupCause = 19;
    this.finishDial(ch, { answered: false, cause: 19 });
    this.destroyChannel(ch, 19);
  }

  /* ------------------------------------------------------------------ */
  /* PBX                                                                 */
  /* ------------------------------------------------------------------ */

  startPbx(ch: Channel, context: string, exten: string, priority: number): void {
    this.setLocation(ch, context, exten, priority);
    void runPbx(this, ch);
  }

  /** ChannelDialplan when the PBX runs a priority (app.c channel_dialplan monitor). */
  dialplanEvent(ch: Channel): void {
    this.apps.channelEvent(ch, () => ({
      type: 'ChannelDialplan',
      timestamp: astTimestamp(),
      dialplan_app: ch.appName,
      dialplan_app_data: ch.appData,
      channel: this.channelJson(ch),
    }));
  }

  /**
   * End of __ast_pbx_run(): ast_softhangup(AST_SOFTHANGUP_APPUNLOAD) publishes a
   * ChannelHangupRequest whose "cause" is that flag (16), then ast_hangup() with the channel's
   * hangup cause: the one Hangup() set (default 16), or 0 when the dialplan simply ran out.
   */
  pbxEnded(ch: Channel): void {
    if (ch.dead) return;
    this.apps.channelEvent(ch, () => ({ cause: 16, soft: true, type: 'ChannelHangupRequest', timestamp: astTimestamp(), channel: this.channelJson(ch) }));
    this.destroyChannel(ch, ch.hangupCause);
  }

  waitWake(ch: Channel): Promise<WakeReason> {
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
  asyncGoto(ch: Channel, context: string, exten: string, priority: number): void {
    if (ch.dead) return;
    ch.asyncGoto = { context, exten, priority };
    if (ch.stasis) {
      this.leaveStasis(ch, { kind: 'redirect', context, exten, priority });
      return;
    }
    if (ch.parkedSlot !== null) ch.parkedSlot = null;
    if (ch.bridge) {
      this.leaveBridge(ch, 'goto');
    } else if (ch.wake) {
      ch.wake.resolve('goto');
    } else if (!ch.pbxRunning) {
      const g = ch.asyncGoto;
      ch.asyncGoto = null;
      this.startPbx(ch, g.context, g.exten, g.priority);
    }
    this.notify();
  }

  /* ------------------------------------------------------------------ */
  /* transfers                                                           */
  /* ------------------------------------------------------------------ */

  /** res_pjsip_refer.c refer_progress_*: NOTIFY sipfrag to the transferring phone. */
  referProgress(ch: Channel, status: number): void {
    const w = ch.referWatch;
    if (!w || w.record.completed) return;
    if (w.record.notifications[w.record.notifications.length - 1] !== status) w.record.notifications.push(status);
    if (status >= 200) {
      w.record.completed = true;
      ch.referWatch = null;
    }
    this.notify();
  }

  /**
   * Blind transfer (REFER) by `transferer` to `exten` in its endpoint's context
   * (res_pjsip_refer.c refer_incoming_blind_request -> main/bridge.c ast_bridge_transfer_blind):
   * two-party bridge: BLINDTRANSFER=<transferer name> is set on the transferee, which leaves the
   * bridge to run the dialplan (bridge_channel_internal_queue_blind_transfer); the transferer is
   * removed from the bridge at once (ast_bridge_remove) and, being the Dial() caller or the
   * imparted callee, is hung up. What waits for the transferee is the phone's REFER
   * subscription: NOTIFY 200 when the transferee enters a bridge, gets media, or is answered.
   */
  blindTransfer(transferer: Channel, exten: string): ReferRecord {
    const phone = transferer.phone;
    if (!phone) throw new FakeUsageError(`${transferer.name} is not a phone's channel`);
    const context = transferer.getVar('TRANSFER_CONTEXT') || phone.context;
    if (!this.dialplan.exists(context, exten, 1)) {
      throw new FakeUsageError(`blind transfer refused (REFER 404): ${exten}@${context} does not exist`, 404);
    }
    const bridge = transferer.bridge;
    if (!bridge || bridge.channels.length < 2) {
      throw new FakeUsageError(`blind transfer refused: ${transferer.name} is not bridged`);
    }
    const record: ReferRecord = {
      kind: 'blind',
      transfererChannelId: transferer.id,
      transfererChannelName: transferer.name,
      exten,
      context,
      notifications: [100],
      completed: false,
      at: Date.now(),
    };
    phone.refers.push(record);
    if (bridge.bridgeClass === 'stasis' || bridge.channels.length > 2) {
      this.blindTransferBridge(transferer, bridge, exten, context, record);
      this.notify();
      return record;
    }
    const transferee = bridge.channels.find((c) => c !== transferer)!;
    transfererBridgePeer(this, transferer, transferee);
    this.setVar(transferee, 'BLINDTRANSFER', transferer.name);
    this.setVar(transferee, 'ATTENDEDTRANSFER', undefined);
    transferee.referWatch = { phone, record, transferer };
    // bridge_channel_internal_queue_blind_transfer(): the transferee will continue at exten@context.
    transferee.asyncGoto = { context, exten, priority: 1 };
    // ast_bridge_remove(bridge, transferer): the two-party bridge ends, the transferer hangs up.
    this.leaveBridge(transferer, 'goto');
    this.destroyChannel(transferer, 16);
    if (transferee.bridge) this.leaveBridge(transferee, 'goto');
    this.notify();
    return record;
  }

  /**
   * Attended transfer (REFER with Replaces) joining the held call (`held` = A1, bridged with B)
   * to the consult call (`consult` = A2). main/bridge.c ast_bridge_transfer_attended():
   *  - A2 not bridged (e.g. in Stasis): B masquerades into A2 (bridge_channel_internal_queue_
   *    attended_transfer -> ast_channel_move). res_stasis.c channel_replaced_cb(): StasisStart for
   *    B with replace_channel = A2 and args [], then StasisEnd for A2. B keeps A2's dialplan
   *    location, Stasis control, playbacks and variables (clone_variables appends B's after A2's).
   *    A1 is removed from its bridge and hung up; A2's old identity is gone.
   *  - A2 in an ARI bridge: the bridges are linked with a Local channel pair
   *    (attended_transfer_bridge): ";1" replaces A1 next to B, ";2" replaces A2 in the ARI
   *    bridge and enters Stasis with replace_channel = A2 (bridge_stasis_push_peek), A2 is hung up.
   */
  attendedTransfer(held: Channel, consult: Channel): ReferRecord {
    const phone = consult.phone ?? held.phone;
    if (!phone) throw new FakeUsageError('attended transfer needs a phone channel');
    const heldBridge = held.bridge;
    if (!heldBridge || heldBridge.channels.length !== 2 || (heldBridge.bridgeClass !== 'basic' && heldBridge.bridgeClass !== 'stasis')) {
      throw new FakeUsageError(`attended transfer: ${held.name} is not in a two-party call`);
    }
    const transferee = heldBridge.channels.find((c) => c !== held)!;
    const record: ReferRecord = {
      kind: 'attended',
      transfererChannelId: consult.id,
      transfererChannelName: consult.name,
      notifications: [100],
      completed: false,
      at: Date.now(),
    };
    phone.refers.push(record);
    if (heldBridge.bridgeClass === 'stasis') {
      this.attendedTransferOutOfStasisBridge(held, consult, transferee, record);
      this.notify();
      return record;
    }
    this.setVar(transferee, 'ATTENDEDTRANSFER', held.name);
    this.setVar(transferee, 'BLINDTRANSFER', undefined);

    if (consult.bridge && consult.bridge.bridgeClass === 'stasis') {
      this.attendedTransferLink(held, consult, transferee, consult.bridge, record);
      return record;
    }
    if (consult.bridge) {
      throw new FakeUsageError('attended transfer to a consult call in a non-Stasis bridge is not supported by the fake');
    }

    const control = consult.stasis;
    const a2Json = this.channelJson(consult);
    this.publishAttendedTransfer(held, consult, a2Json, transferee, {
      destination_type: control ? 'application' : 'link',
      ...(control ? { destination_application: control.app } : {}),
    });
    // A1 leaves and hangs up; B leaves the basic bridge to take A2's place.
    this.leaveBridge(held, 'goto');
    this.destroyChannel(held, 16);
    if (transferee.bridge) this.leaveBridge(transferee, 'goto');
    if (transferee.dead) return record;
    this.masquerade(transferee, consult, a2Json);
    this.completeRefer(record);
    this.notify();
    return record;
  }

  /**
   * main/bridge.c blind_transfer_bridge(), for a Stasis bridge (AST_BRIDGE_FLAG_TRANSFER_BRIDGE_ONLY)
   * or a multi-party one. BLINDTRANSFER=<transferer> is set on every peer
   * (set_transfer_variables_all) and on a new Local pair "<exten>@<context>"; ast_call() copies
   * ;1's variables to ;2, which runs the dialplan at the target. ;1 is imparted in the
   * transferer's place: stasis_bridge.c bridge_stasis_push() refuses a channel not in Stasis and
   * runs Stasis(<app>) on it first (StasisStart, args [], replace_channel = the transferer), then
   * swaps it in (control_swap_channel_in_bridge). The transferer stays in Stasis, out of the
   * bridge; res_pjsip_refer's NOTIFY 200 goes out when ;1 is bridged, and the phone hangs up.
   * BridgeBlindTransfer is published last (the "publish:" label).
   */
  private blindTransferBridge(transferer: Channel, bridge: Bridge, exten: string, context: string, record: ReferRecord): void {
    const peers = bridge.channels.filter((c) => c !== transferer);
    for (const peer of peers) {
      this.setVar(peer, 'BLINDTRANSFER', transferer.name);
      this.setVar(peer, 'ATTENDEDTRANSFER', undefined);
    }
    const [one, two] = this.createLocalPair(`${exten}@${context}`);
    one.vars.set('BLINDTRANSFER', transferer.name);
    for (const [k, v] of one.vars) two.vars.set(k, v);
    const transfererJson = this.channelJson(transferer);
    const replaceJson = this.channelJson(one);
    this.setState(two, 'Ring');
    later(() => {
      if (!two.dead) this.startPbx(two, context, exten, 1);
    });
    one.referWatch = { phone: transferer.phone!, record, transferer };
    this.swapInto(bridge, one, transferer);
    this.apps.multiChannelEvent([transferer], () => ({
      type: 'BridgeBlindTransfer',
      timestamp: astTimestamp(),
      channel: transfererJson,
      replace_channel: replaceJson,
      ...(peers.length === 1 ? { transferee: this.channelJson(peers[0]) } : {}),
      bridge: bridge.toJSON(),
      exten,
      context,
      result: 'Success',
      is_external: true,
    }), [bridge]);
    this.hangUpAfterRefer(transferer);
  }

  /**
   * ast_bridge_impart(bridge, ch, swap): in a Stasis bridge a channel not in Stasis goes through
   * Stasis(<app of swap>) first (StasisStart with replace_channel = swap, args []), then takes
   * swap's place (stasis_bridge.c bridge_stasis_push / defer_bridge_add). Elsewhere it just swaps.
   */
  private swapInto(bridge: Bridge, ch: Channel, swap: Channel): void {
    const app = swap.stasis?.app;
    if (bridge.bridgeClass === 'stasis' && app) {
      const swapJson = this.channelJson(swap);
      // res_stasis.c send_start_msg(): a StasisStart replacing a channel drops one subscription to it.
      this.apps.unsubscribeChannel(app, swap);
      const exit = this.enterStasis(ch, app, [], swapJson);
      void exit?.then((e) => this.afterStasis(ch, e));
    }
    // bridge_channel_internal_push(): the new channel is pushed first, then the swap leaves.
    this.joinBridge(ch, bridge);
    if (swap.bridge === bridge) this.leaveBridge(swap, 'depart');
  }

  /** The transferring phone got NOTIFY 200 for its REFER and sends BYE. */
  private hangUpAfterRefer(transferer: Channel): void {
    later(() => {
      if (!transferer.dead) this.remoteHangup(transferer, 16);
    });
  }

  /**
   * Attended transfer whose held call (A1, bridged with B) is in a Stasis bridge: never merged
   * (TRANSFER_BRIDGE_ONLY), so main/bridge.c attended_transfer_bridge() links the two sides with
   * a Local pair "_attended@transfer" (ATTENDEDTRANSFER=<A1> on ;1, copied to ;2 by ast_call()):
   *  - A2 not bridged: ;2 masquerades into A2 (ast_local_setup_masquerade): StasisStart(;2,
   *    replace_channel = A2) and StasisEnd(A2) if A2 was in Stasis;
   *  - A2 in a bridge: ;2 takes A2's place there (ast_local_setup_bridge) and A2 hangs up.
   * Then ;1 is imparted into A1's place (as for a blind transfer), and A1's phone hangs up.
   */
  private attendedTransferOutOfStasisBridge(held: Channel, consult: Channel, transferee: Channel, record: ReferRecord): void {
    const heldBridge = held.bridge!;
    this.setVar(transferee, 'ATTENDEDTRANSFER', held.name);
    this.setVar(transferee, 'BLINDTRANSFER', undefined);
    const [one, two] = this.createLocalPair('_attended@transfer');
    one.vars.set('ATTENDEDTRANSFER', held.name);
    for (const [k, v] of one.vars) two.vars.set(k, v);
    const a2Json = this.channelJson(consult);
    const consultBridge = consult.bridge;
    // core_local.c local_call(): ;2 is answered before it takes A2's place; ;1 stays Down.
    this.setState(two, 'Up');
    this.publishAttendedTransfer(held, consult, a2Json, transferee, {
      ...(consultBridge ? { transferer_second_leg_bridge: consultBridge.toJSON() } : {}),
      destination_type: 'link',
      destination_link_first_leg: this.channelJson(one),
      destination_link_second_leg: this.channelJson(two),
    });
    if (consultBridge) {
      this.swapInto(consultBridge, two, consult);
      this.destroyChannel(consult, 16);
    } else {
      this.masquerade(two, consult, a2Json);
    }
    this.swapInto(heldBridge, one, held);
    this.completeRefer(record);
    this.hangUpAfterRefer(held);
  }

  /** BridgeAttendedTransfer goes to apps subscribed to either leg or bridge (app.c handler). */
  private publishAttendedTransfer(held: Channel, consult: Channel, a2Json: Record<string, unknown>, transferee: Channel, destination: Record<string, unknown>): void {
    const heldBridge = held.bridge!;
    const bridges = consult.bridge ? [heldBridge, consult.bridge] : [heldBridge];
    this.apps.multiChannelEvent([held, consult], () => ({
      type: 'BridgeAttendedTransfer',
      timestamp: astTimestamp(),
      transferer_first_leg: this.channelJson(held),
      transferer_second_leg: a2Json,
      transferee: this.channelJson(transferee),
      transferer_first_leg_bridge: heldBridge.toJSON(),
      result: 'Success',
      is_external: true,
      ...destination,
    }), bridges);
  }

  /**
   * ast_channel_move(A2, ch): `ch` takes over A2's place (Stasis control, dialplan location,
   * media, variables: clone_variables appends A2's after ch's). res_stasis.c
   * channel_replaced_cb(): StasisStart for ch with replace_channel = A2 and args [], then
   * StasisEnd for A2, whose old identity is gone.
   */
  private masquerade(ch: Channel, consult: Channel, a2Json: Record<string, unknown>): void {
    if (ch.bridge) this.leaveBridge(ch, 'goto');
    if (ch.dead) return;
    const control = consult.stasis;
    const mergedVars = new Map(ch.vars);
    for (const [k, v] of consult.vars) mergedVars.set(k, v);
    ch.vars.clear();
    for (const [k, v] of mergedVars) ch.vars.set(k, v);
    ch.context = consult.context;
    ch.exten = consult.exten;
    ch.priority = consult.priority;
    ch.appName = consult.appName;
    ch.appData = consult.appData;
    ch.moh = consult.moh;
    ch.silence = consult.silence;
    ch.wake = null;
    if (control) {
      consult.stasis = null;
      ch.stasis = control;
      this.controls.set(ch, this.controlOf(consult));
      this.controls.delete(consult);
      for (const pb of consult.playbacks.splice(0)) {
        ch.playbacks.push(pb);
        (pb as { target: Channel | Bridge }).target = ch;
      }
      this.apps.unsubscribeChannel(control.app, consult);
      this.apps.subscribeChannel(control.app, ch);
      const app = this.apps.get(control.app);
      if (app) {
        this.apps.send(app, { type: 'StasisStart', timestamp: astTimestamp(), args: [], channel: this.channelJson(ch), replace_channel: a2Json });
        this.apps.send(app, { type: 'StasisEnd', timestamp: astTimestamp(), channel: a2Json });
      }
    }
    // ch's own PBX (if it was the Dial() caller) ends; A2's PBX continues with ch.
    ch.pbxGen++;
    ch.pbxRunning = consult.pbxRunning;
    consult.movedTo = ch;
    for (const appName of [...consult.subs.keys()]) this.apps.unsubscribeChannel(appName, consult, true);
    this.destroyChannel(consult, 16);
  }

  /** The REFER with Replaces succeeded: NOTIFY 200, the transferring phone hangs up. */
  private completeRefer(record: ReferRecord): void {
    record.notifications.push(200);
    record.completed = true;
  }

  private attendedTransferLink(held: Channel, consult: Channel, transferee: Channel, stasisBridge: Bridge, record: ReferRecord): void {
    const heldBridge = held.bridge!;
    const control = consult.stasis;
    const [one, two] = this.createLocalPair('_attended@transfer');
    two.vars.set('ATTENDEDTRANSFER', held.name);
    one.vars.set('ATTENDEDTRANSFER', held.name);
    this.setState(one, 'Up');
    this.setState(two, 'Up');
    const a2Json = this.channelJson(consult);
    this.apps.multiChannelEvent([held, consult], () => ({
      type: 'BridgeAttendedTransfer',
      timestamp: astTimestamp(),
      transferer_first_leg: this.channelJson(held),
      transferer_second_leg: a2Json,
      transferer_first_leg_bridge: heldBridge.toJSON(),
      transferer_second_leg_bridge: stasisBridge.toJSON(),
      result: 'Success',
      is_external: true,
      destination_type: 'link',
      destination_link_first_leg: this.channelJson(one),
      destination_link_second_leg: this.channelJson(two),
    }));
    // ;1 takes A1's place next to B.
    this.leaveBridge(held, 'goto');
    this.destroyChannel(held, 16);
    if (!transferee.dead) {
      const basic = this.createInternalBridge('basic', 'mixing', '', '');
      this.joinBridge(transferee, basic);
      this.joinBridge(one, basic);
    }
    // ;2 enters Stasis with replace_channel = A2, then takes A2's place in the ARI bridge.
    if (control) {
      void this.enterStasis(two, control.app, [], a2Json)?.then((exit) => this.afterStasis(two, exit));
      this.leaveBridge(consult, 'depart');
      this.joinBridge(two, stasisBridge);
    }
    this.ariHangupSilent(consult);
    this.completeRefer(record);
  }

  /** A channel's PBX after it left Stasis (used for channels that entered Stasis outside runPbx). */
  afterStasis(ch: Channel, exit: StasisExit): void {
    while (ch.movedTo) ch = ch.movedTo;
    if (ch.dead) return;
    if (exit.kind === 'hangup') return;
    this.startPbx(ch, exit.context, exit.exten, exit.priority);
  }

  /** ast_softhangup(AST_SOFTHANGUP_DEV) of the transfer target: ChannelHangupRequest cause 1 (the flag). */
  private ariHangupSilent(ch: Channel): void {
    if (ch.dead) return;
    this.apps.channelEvent(ch, () => ({ cause: 1, soft: true, type: 'ChannelHangupRequest', timestamp: astTimestamp(), channel: this.channelJson(ch) }));
    this.destroyChannel(ch, 16);
  }

  /* ------------------------------------------------------------------ */
  /* res_parking (Park / ParkedCall fallbacks)                           */
  /* ------------------------------------------------------------------ */

  /** Park(lot): the parkee waits in the lot's holding bridge (bridge_class "parking"). */
  park(ch: Channel, lot: string): number {
    let b = this.parkingBridges.get(lot);
    if (!b || b.dead) {
      b = this.createInternalBridge('parking', 'holding', 'Parking', lot);
      this.parkingBridges.set(lot, b);
    }
    const used = new Set<number>();
    for (const c of b.channels) if (c.parkedSlot !== null) used.add(c.parkedSlot);
    let slot = 701;
    while (used.has(slot)) slot++;
    ch.parkedSlot = slot;
    this.setVar(ch, 'PARKINGSLOT', String(slot));
    this.setVar(ch, 'PARKEDLOT', lot);
    ch.moh = ch.getVar('MUSICCLASS') || 'default';
    this.joinBridge(ch, b);
    return slot;
  }

  /** ParkedCall(lot): the parked call with the lowest space (parking_lot_retrieve_parked_user). */
  retrieveParked(lot: string): Channel | undefined {
    const b = this.parkingBridges.get(lot);
    if (!b) return undefined;
    let best: Channel | undefined;
    for (const c of b.channels) {
      if (c.parkedSlot !== null && (!best || c.parkedSlot < best.parkedSlot!)) best = c;
    }
    return best;
  }

  /** Bridges the retriever and the parkee in a new basic bridge (parked_call_app_exec). */
  connectParked(retriever: Channel, parkee: Channel): Bridge {
    parkee.parkedSlot = null;
    parkee.moh = null;
    const b = this.createInternalBridge('basic', 'mixing', '', '');
    this.joinBridge(parkee, b);
    this.joinBridge(retriever, b);
    if (parkee.wake) parkee.wake.resolve('retrieved');
    return b;
  }

  /** Bridges two channels in a new basic bridge (app_dial ast_bridge_call). */
  bridgeCall(caller: Channel, peer: Channel): Bridge {
    const b = this.createInternalBridge('basic', 'mixing', '', '');
    this.joinBridge(caller, b);
    this.joinBridge(peer, b);
    return b;
  }

  /* ------------------------------------------------------------------ */
  /* restart                                                             */
  /* ------------------------------------------------------------------ */

  /**
   * `core stop now` / `core restart now` (main/asterisk.c can_safely_quit): ast_softhangup_all()
   * asks every channel to hang up with AST_SOFTHANGUP_SHUTDOWN (ChannelHangupRequest, soft, cause
   * 4: the flag), and they go: StasisEnd, ChannelDestroyed. The apps hear it before the sockets close.
   */
  softHangupAll(): void {
    for (const ch of [...this.channels.values()]) {
      if (ch.dead) continue;
      this.apps.channelEvent(ch, () => ({ cause: 4, soft: true, type: 'ChannelHangupRequest', timestamp: astTimestamp(), channel: this.channelJson(ch) }));
      this.destroyChannel(ch, 16);
    }
  }

  /** Asterisk restarts: every channel, bridge, playback and app vanishes, silently. astdb stays. */
  wipe(): void {
    for (const ch of this.channels.values()) {
      ch.dead = true;
      if (ch.dial?.timer) clearTimeout(ch.dial.timer);
      if (ch.wake) ch.wake.resolve('hangup');
      if (ch.stasis) ch.stasis.done.resolve({ kind: 'hangup' });
      ch.phone?.channels.delete(ch);
    }
    this.channels.clear();
    this.channelsByName.clear();
    this.bridges.clear();
    this.playbacks.clear();
    this.playbackHistory.length = 0;
    this.parkingBridges.clear();
    this.apps.reset();
    this.deviceCache.clear();
    // res_stasis_device_state.c populate_cache(): astdb states are cached again at start.
    for (const [k, v] of this.astdb) this.deviceCache.set(`Stasis:${k}`, v);
    this.seq = { unique: this.seq.unique, pjsip: 0, local: 0 };
    this.notify();
  }

  /** All apps currently registered (GET /applications). */
  appList(): StasisApp[] {
    return [...this.apps.apps.values()];
  }

  addPhone(number: string, context: string, behavior: PhoneBehavior, name: string): Phone {
    let phone = this.phones.get(number);
    if (phone) {
      phone.context = context;
      phone.behavior = behavior;
      phone.name = name;
    } else {
      phone = new Phone(number, context, behavior, name);
      this.phones.set(number, phone);
    }
    this.updateEndpointDevice(phone);
    return phone;
  }

  deviceSubscribeAll(appName: string): void {
    let set = this.apps.deviceSubs.get(appName);
    if (!set) this.apps.deviceSubs.set(appName, (set = new Set()));
    set.add(DEVICE_STATE_ALL);
  }
}

export const DEVICE_STATES = ['UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD'];

/** Sets BLINDTRANSFER on the transferer to its BRIDGEPEER (set_transfer_variables_all). */
function transfererBridgePeer(engine: Engine, transferer: Channel, transferee: Channel): void {
  engine.setVar(transferer, 'BLINDTRANSFER', transferer.getVar('BRIDGEPEER') ?? transferee.name);
  engine.setVar(transferer, 'ATTENDEDTRANSFER', undefined);
}

/** ast_callerid_parse(): `"Name" <number>`, `Name <number>`, a bare number, or a bare name. */
export function parseCallerId(input: string): CallerId {
  const s = input.trim();
  const lt = s.lastIndexOf('<');
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    const number = s.slice(lt + 1, gt >= 0 ? gt : undefined).trim();
    let name = s.slice(0, lt).trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1);
    return { name, number };
  }
  const unq = s.startsWith('"') && s.endsWith('"') && s.length >= 2 ? s.slice(1, -1) : s;
  if (/^[0-9+*#\-() .]+$/.test(unq)) {
    // ast_shrink_phone_number(): drop "-", "(", ")", ".", spaces.
    return { name: '', number: unq.replace(/[-(). ]/g, '') };
  }
  return { name: unq, number: '' };
}
