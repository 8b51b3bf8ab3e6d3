/**
 * FakeAsterisk: a wire-level stand-in for Asterisk 22's ARI (HTTP + WebSocket) with a dialplan
 * interpreter and phones, plus a control API for tests (in-process methods here, and the same
 * over HTTP under /_fake/, see control.ts and README.md).
 */
import { ApiDocs } from './api-docs';
import type { SentEvent } from './apps';
import { buildControl } from './control';
import { Engine } from './engine';
import { FakeUsageError } from './errors';
import { ROUTES } from './resources';
import { Router } from './router';
import { AriServer } from './server';
import type { RequestLogEntry } from './server';
import type { Channel, InviteRecord, MessageRecord, PhoneBehavior, ReferRecord } from './state';
import { astTimestamp, later, separateArgs } from './util';
import { runPbx, waitOutOfBridge, walkToDial } from './dialplan/pbx';

export interface PhoneOptions {
  /** Endpoint/extension, e.g. "101" (PJSIP/101). */
  number: string;
  /** Dialplan context of the endpoint (pjsip.conf context=). */
  context: string;
  /** How the phone reacts to INVITEs from Asterisk. Default 'answer'. */
  behavior?: PhoneBehavior;
  /** Caller ID name the phone presents. Default "Phone <number>". */
  name?: string;
}

export interface FakeAsteriskOptions {
  /**
   * Sounds installed besides the core English sounds 1.6.1 (tests/support/fake-asterisk/data):
   * a sound: item not in the catalogue fails like on Asterisk (nothing heard, "failed" if last).
   */
  extraSounds?: string[];
  /** Core sounds that are not installed (as setSoundInstalled(id, false) at start). */
  missingSounds?: string[];
  /** Modules not running from the start (as setModuleLoaded(name, false)), e.g. ['res_parking.so']. */
  notLoaded?: string[];
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** ARI user (ari.conf). Default "parking"/"parking" as in asterisk-conf/ari.conf. */
  username?: string;
  password?: string;
  /** Dialplan files to load; relative #include are resolved from each file's folder. */
  dialplanFiles?: string[];
  /** Extra dialplan text loaded after the files. */
  dialplan?: string;
  /** ari.conf channelvars. Default ['BLINDTRANSFER', 'ATTENDEDTRANSFER', 'PARK_PEER'] (asterisk-conf/ari.conf). */
  channelvars?: string[];
  /** 'auto' (default): a playback item finishes on the next tick; 'manual': finishPlayback(). */
  playbackMode?: 'auto' | 'manual';
  /** In 'auto' mode, how long each media item plays, in ms. Default 0: it ends on the next tick. */
  playbackMs?: number;
  /** http.conf sessionlimit; unlimited when unset. */
  sessionLimit?: number;
  /** http.conf session_keep_alive in ms. Default 15000. */
  keepAliveTimeoutMs?: number;
  /** Entity id in asterisk_id. Default "02:42:ac:11:00:02". */
  asteriskId?: string;
  version?: string;
  phones?: PhoneOptions[];
  /** Initial astdb device states, e.g. {"park-acme-7001": "INUSE"} for Stasis:park-acme-7001. */
  deviceStates?: Record<string, string>;
  /** Maximum entries kept in `requests` and `events` (counts keep going). Default 100000. */
  logLimit?: number;
}

export interface PhoneView {
  readonly number: string;
  readonly context: string;
  readonly behavior: PhoneBehavior;
  readonly online: boolean;
  /** Every INVITE Asterisk sent to the phone. */
  readonly invites: InviteRecord[];
  /** SIP MESSAGEs delivered to the phone (PUT /endpoints/.../sendMessage). */
  readonly messages: MessageRecord[];
  /** REFERs the phone sent and the NOTIFYs it got back. */
  readonly refers: ReferRecord[];
  /** DTMF Asterisk sent to the phone (POST /channels/{id}/dtmf). */
  readonly dtmfReceived: Array<{ channelId: string; digits: string }>;
  /** The phone's live channels, as ARI Channel JSON. */
  readonly calls: Array<Record<string, unknown>>;
}

export type ChannelJson = Record<string, unknown> & {
  id: string;
  name: string;
  state: string;
  caller: { name: string; number: string };
  channelvars?: Record<string, string>;
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
};
export type BridgeJson = Record<string, unknown> & { id: string; bridge_type: string; bridge_class: string; channels: string[] };
export type PlaybackJson = Record<string, unknown> & { id: string; state: string; media_uri: string; target_uri: string };

export class FakeAsterisk {
  readonly engine: Engine;
  private readonly server: AriServer;
  readonly username: string;
  readonly password: string;
  private readonly host: string;
  private upPromise: Promise<void> | null = null;

  private constructor(opts: FakeAsteriskOptions) {
    this.username = opts.username ?? 'parking';
    this.password = opts.password ?? 'parking';
    this.host = opts.host ?? '127.0.0.1';
    this.engine = new Engine({
      channelvars: opts.channelvars ?? ['BLINDTRANSFER', 'ATTENDEDTRANSFER', 'PARK_PEER'],
      playbackMode: opts.playbackMode ?? 'auto',
      playbackMs: opts.playbackMs ?? 0,
      extraSounds: opts.extraSounds,
      asteriskId: opts.asteriskId ?? '02:42:ac:11:00:02',
      version: opts.version ?? '22.10.1',
    });
    this.engine.apps.eventLogLimit = opts.logLimit ?? 100_000;
    for (const id of opts.missingSounds ?? []) this.engine.sounds.delete(id);
    for (const name of opts.notLoaded ?? []) this.engine.modules.delete(name);
    const router = new Router(ROUTES, new ApiDocs(ROUTES as never));
    this.server = new AriServer(
      this.engine,
      router,
      {
        host: this.host,
        port: opts.port ?? 0,
        username: this.username,
        password: this.password,
        sessionLimit: opts.sessionLimit,
        keepAliveTimeoutMs: opts.keepAliveTimeoutMs ?? 15_000,
        version: opts.version ?? '22.10.1',
        requestLogLimit: opts.logLimit ?? 100_000,
      },
      buildControl(this),
    );
    for (const f of opts.dialplanFiles ?? []) this.engine.dialplan.loadFile(f);
    if (opts.dialplan) this.engine.dialplan.loadText(opts.dialplan);
    for (const [k, v] of Object.entries(opts.deviceStates ?? {})) {
      const key = k.replace(/^Stasis:/i, '');
      this.engine.astdb.set(key, v);
      this.engine.publishDeviceState(`Stasis:${key}`, v);
    }
    for (const p of opts.phones ?? []) this.addPhone(p);
  }

  static async start(opts: FakeAsteriskOptions = {}): Promise<FakeAsterisk> {
    const fake = new FakeAsterisk(opts);
    await fake.server.start();
    return fake;
  }

  /** Base URL for ari-client: `ari.connect(fake.url, fake.username, fake.password)`. */
  get url(): string {
    return `http://${this.host}:${this.server.port}`;
  }

  get port(): number {
    return this.server.port;
  }

  async stop(): Promise<void> {
    for (const ch of this.engine.channels.values()) if (ch.dial?.timer) clearTimeout(ch.dial.timer);
    await this.server.stop();
  }

  /* ------------------------------- dialplan ------------------------------- */

  /** Adds contexts; a context in `text` replaces a loaded context of the same name. */
  loadDialplan(text: string): void {
    this.engine.dialplan.loadText(text);
    this.engine.notify();
  }

  loadDialplanFile(file: string): void {
    this.engine.dialplan.loadFile(file);
  }

  /** Parser and runtime warnings (missing #include, unknown applications, bad Goto...). */
  get warnings(): string[] {
    return [...this.engine.dialplan.warnings, ...this.engine.warnings];
  }

  /* -------------------------------- phones -------------------------------- */

  addPhone(opts: PhoneOptions): PhoneView {
    this.engine.addPhone(opts.number, opts.context, opts.behavior ?? 'answer', opts.name ?? `Phone ${opts.number}`);
    return this.phone(opts.number);
  }

  setPhoneBehavior(number: string, behavior: PhoneBehavior): void {
    const p = this.mustPhone(number);
    p.behavior = behavior;
    this.engine.addPhone(p.number, p.context, behavior, p.name);
  }

  phone(number: string): PhoneView {
    const p = this.mustPhone(number);
    const engine = this.engine;
    return {
      get number() {
        return p.number;
      },
      get context() {
        return p.context;
      },
      get behavior() {
        return p.behavior;
      },
      get online() {
        return p.online;
      },
      invites: p.invites,
      messages: p.messages,
      refers: p.refers,
      dtmfReceived: p.dtmfReceived,
      get calls() {
        return p.calls.map((c) => engine.channelJson(c));
      },
    };
  }

  private mustPhone(number: string) {
    const p = this.engine.phones.get(number);
    if (!p) throw new FakeUsageError(`no phone ${number}; call addPhone() first`, 404);
    return p;
  }

  private mustChannel(id: string): Channel {
    const ch = this.engine.channelByNameOrId(id);
    if (!ch || ch.dead) throw new FakeUsageError(`no live channel ${id}`, 404);
    return ch;
  }

  /**
   * Holds back the responses to requests matching `matching` ("POST /ari/bridges/x/addChannel")
   * until `meanwhile()` has run, started once `after` of them are held (the requests themselves
   * are carried out): what it makes happen, a hangup say, reaches the service before the
   * responses, as it can on a real Asterisk. Once only.
   */
  beforeResponding(matching: RegExp, meanwhile: () => Promise<void> | void, after = 1): void {
    let held = 0;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.server.responseGate = (method, path) => {
      if (!matching.test(`${method} ${path}`)) return undefined;
      if (++held === after) {
        this.server.responseGate = null;
        void Promise.resolve(meanwhile())
          .then(() => new Promise((resolve) => setTimeout(resolve, 50)))
          .finally(release);
      }
      return done;
    };
  }

  /**
   * The phone dials `exten`: a new inbound channel (state Ring) runs the dialplan in the phone's
   * context. Throws (like the 404 a phone would get) when the extension does not exist.
   */
  dial(from: string, exten: string, opts: { callerName?: string; callerNumber?: string } = {}): string {
    const phone = this.mustPhone(from);
    if (!this.engine.dialplan.exists(phone.context, exten, 1)) {
      throw new FakeUsageError(`INVITE answered 404: ${exten}@${phone.context} does not exist`, 404);
    }
    const ch = this.engine.createPjsipChannel(phone, {
      outgoing: false,
      state: 'Ring',
      caller: { name: opts.callerName ?? phone.name, number: opts.callerNumber ?? phone.number },
      context: phone.context,
      exten,
    });
    later(() => {
      if (!ch.dead) this.engine.startPbx(ch, phone.context, exten, 1);
    });
    return ch.id;
  }

  /**
   * Two phones in a normal call, synchronously: the caller's dialplan is walked up to its Dial()
   * (NoOp/Set/Answer/Goto/GotoIf allowed before it), the first reachable PJSIP target is rung and
   * answers (whatever its behaviour), and both end up in a basic bridge, as after Dial().
   * The caller's dialplan then continues after Dial() when the call ends.
   */
  call(from: string, to: string): { callerChannelId: string; calleeChannelId: string; bridgeId: string } {
    const phone = this.mustPhone(from);
    if (!this.engine.dialplan.exists(phone.context, to, 1)) {
      throw new FakeUsageError(`INVITE answered 404: ${to}@${phone.context} does not exist`, 404);
    }
    const engine = this.engine;
    const a = engine.createPjsipChannel(phone, {
      outgoing: false,
      state: 'Ring',
      caller: { name: phone.name, number: phone.number },
      context: phone.context,
      exten: to,
    });
    let data: string;
    try {
      data = walkToDial(engine, a);
    } catch (e) {
      engine.destroyChannel(a, 16);
      throw new FakeUsageError(`call(${from}, ${to}): ${(e as Error).message}`);
    }
    const targets = (separateArgs(data)[0] ?? '').split('&').map((t) => t.trim());
    const target = targets
      .map((t) => /^PJSIP\/([^/]+)/i.exec(t)?.[1])
      .map((n) => (n ? engine.phones.get(n) : undefined))
      .find((p) => p && p.online);
    if (!target) {
      engine.destroyChannel(a, 16);
      throw new FakeUsageError(`call(${from}, ${to}): Dial(${data}) reaches no online phone`);
    }
    const b = engine.createPjsipChannel(target, {
      outgoing: true,
      state: 'Down',
      caller: { name: '', number: target.number },
      context: target.context,
      exten: target.number,
    });
    b.connected = { ...a.caller };
    b.appName = 'AppDial';
    b.appData = '(Outgoing Line)';
    engine.placeCall(b, a, target.number, 0);
    engine.setState(b, 'Ringing');
    engine.publishDial(a, b, target.number, 'RINGING');
    engine.answerOutgoing(b);
    engine.setState(a, 'Up');
    a.connected = { name: target.name, number: target.number };
    engine.setVar(a, 'DIALSTATUS', 'ANSWER');
    const bridge = engine.bridgeCall(a, b);
    void runPbx(engine, a, async () => ((await waitOutOfBridge(engine, a)) === 'goto' ? 'goto' : 'hangup'));
    return { callerChannelId: a.id, calleeChannelId: b.id, bridgeId: bridge.id };
  }

  /** Blind transfer (REFER) from a phone's channel to `exten` in the phone's context. */
  blindTransfer(transfererChannelId: string, exten: string): ReferRecord {
    const r = this.engine.blindTransfer(this.mustChannel(transfererChannelId), exten);
    this.engine.notify();
    return r;
  }

  /** Attended transfer joining the held call (A1) to the consult call (A2). */
  attendedTransfer(heldChannelId: string, consultChannelId: string): ReferRecord {
    return this.engine.attendedTransfer(this.mustChannel(heldChannelId), this.mustChannel(consultChannelId));
  }

  /** DTMF from the phone: one ChannelDtmfReceived per digit. */
  sendDtmf(channelId: string, digits: string, durationMs = 100): void {
    this.engine.receiveDtmf(this.mustChannel(channelId), digits, durationMs);
  }

  /** The phone hangs up (BYE), or the far end clears with `cause`. */
  hangup(channelId: string, cause = 16): void {
    this.engine.remoteHangup(this.mustChannel(channelId), cause);
  }

  /** The phone answers a ringing call from Asterisk. */
  answer(channelId: string): void {
    const ch = this.mustChannel(channelId);
    if (!ch.dial) throw new FakeUsageError(`${ch.name} is not ringing`);
    this.engine.phoneAnswer(ch);
  }

  /** The phone rejects a ringing call: cause 21 (603 Decline) by default, 17 for busy (486). */
  reject(channelId: string, cause = 21, sipStatus?: number): void {
    const ch = this.mustChannel(channelId);
    if (!ch.dial) throw new FakeUsageError(`${ch.name} is not ringing`);
    this.engine.phoneReject(ch, cause, sipStatus);
  }

  /** The originate/Dial timeout fires now for a ringing channel (cause 19). */
  expireRinging(channelId: string): void {
    const ch = this.mustChannel(channelId);
    if (!ch.dial) throw new FakeUsageError(`${ch.name} is not ringing`);
    this.engine.expireRinging(ch);
  }

  /** The phone puts the call on hold (re-INVITE sendonly): ChannelHold, peers hear MOH. */
  holdCall(channelId: string, musicClass?: string): void {
    const ch = this.mustChannel(channelId);
    ch.remoteHold = true;
    this.engine.apps.channelEvent(ch, () => ({
      ...(musicClass ? { musicclass: musicClass } : {}),
      type: 'ChannelHold',
      timestamp: astTimestamp(),
      channel: this.engine.channelJson(ch),
    }));
    if (ch.phone) this.engine.publishDeviceState(`PJSIP/${ch.phone.number}`, this.engine.deviceState(`PJSIP/${ch.phone.number}`));
    this.engine.notify();
  }

  unholdCall(channelId: string): void {
    const ch = this.mustChannel(channelId);
    ch.remoteHold = false;
    this.engine.apps.channelEvent(ch, () => ({
      type: 'ChannelUnhold',
      timestamp: astTimestamp(),
      channel: this.engine.channelJson(ch),
    }));
    if (ch.phone) this.engine.publishDeviceState(`PJSIP/${ch.phone.number}`, this.engine.deviceState(`PJSIP/${ch.phone.number}`));
    this.engine.notify();
  }

  /** Finishes a playing playback completely (every remaining media item). */
  finishPlayback(playbackId: string): void {
    const pb = this.engine.playbacks.get(playbackId);
    if (!pb) throw new FakeUsageError(`no playback ${playbackId}`, 404);
    let guard = 0;
    while (this.engine.playbacks.has(playbackId) && (pb.state === 'playing' || pb.state === 'paused') && guard++ < 1000) {
      this.engine.finishMedia(pb, 'complete');
    }
  }

  /** Finishes only the current media item of a playback. */
  finishPlaybackItem(playbackId: string): void {
    const pb = this.engine.playbacks.get(playbackId);
    if (!pb) throw new FakeUsageError(`no playback ${playbackId}`, 404);
    this.engine.finishMedia(pb, 'complete');
  }

  /* ------------------------- connection faults ---------------------------- */

  /**
   * Closes the events WebSocket(s). Their apps become inactive (Stasis() fails with
   * STASISSTATUS=FAILED, events are lost); channels stay in Stasis and in their bridges.
   * With refuse, new WebSocket upgrades get 503 until restoreWebSocket().
   */
  dropWebSocket(opts: { refuse?: boolean } = {}): void {
    this.server.refuseWebSockets = !!opts.refuse;
    this.server.dropWebSockets();
  }

  restoreWebSocket(): void {
    this.server.refuseWebSockets = false;
  }

  /**
   * Asterisk goes down: listener and every connection closed, all channels/bridges gone silently
   * (a crash). With `graceful` (core stop/restart now), the channels are hung up first, and the
   * apps hear it (ChannelHangupRequest with the shutdown flag, StasisEnd, ChannelDestroyed).
   */
  async goDown(opts: { graceful?: boolean } = {}): Promise<void> {
    if (opts.graceful) {
      this.engine.softHangupAll();
      await this.server.closeWebSockets();
    }
    await this.server.stop();
    this.engine.wipe();
  }

  /** Asterisk is back on the same port (astdb device states, phones and dialplan kept). */
  async comeUp(): Promise<void> {
    if (this.server.listening) return;
    if (!this.upPromise) {
      this.upPromise = this.server.start(this.server.port).then(() => {
        this.engine.lastReloadAt = astTimestamp();
        this.upPromise = null;
      });
    }
    await this.upPromise;
  }

  /** goDown(), wait `downtimeMs` (default 0), comeUp(). */
  async restart(opts: { downtimeMs?: number; graceful?: boolean } = {}): Promise<void> {
    await this.goDown({ graceful: opts.graceful });
    if (opts.downtimeMs) await new Promise((r) => setTimeout(r, opts.downtimeMs));
    await this.comeUp();
  }

  /* ------------------------------ inspection ------------------------------ */

  channels(): ChannelJson[] {
    return [...this.engine.channels.values()].map((c) => this.engine.channelJson(c) as ChannelJson);
  }

  channel(id: string): ChannelJson | undefined {
    const ch = this.engine.channelByNameOrId(id);
    return ch && !ch.dead ? (this.engine.channelJson(ch) as ChannelJson) : undefined;
  }

  /** Channel variable as the dialplan sees it (GET /channels/{id}/variable without Stasis). */
  channelVar(id: string, name: string): string | undefined {
    const ch = this.engine.channelByNameOrId(id);
    return ch ? this.engine.readVar(ch, name) : undefined;
  }

  bridges(): BridgeJson[] {
    return [...this.engine.bridges.values()].map((b) => b.toJSON() as BridgeJson);
  }

  bridge(id: string): BridgeJson | undefined {
    return this.engine.bridges.get(id)?.toJSON() as BridgeJson | undefined;
  }

  bridgeOf(channelId: string): BridgeJson | null {
    const ch = this.engine.channelByNameOrId(channelId);
    return ch?.bridge ? (ch.bridge.toJSON() as BridgeJson) : null;
  }

  /** Ids of the other channels in the channel's bridge. */
  bridgedWith(channelId: string): string[] {
    const ch = this.engine.channelByNameOrId(channelId);
    return ch?.bridge ? ch.bridge.channels.filter((c) => c !== ch).map((c) => c.id) : [];
  }

  /**
   * Who the channel talks to: the other channels of its bridge, following Local channel pairs
   * through to the real parties on the far side (as after a transfer out of a Stasis bridge).
   */
  talksTo(channelId: string): string[] {
    const start = this.engine.channelByNameOrId(channelId);
    if (!start?.bridge || start.dead) return [];
    const found: string[] = [];
    const seen = new Set([start]);
    const visit = (bridge: NonNullable<typeof start.bridge>) => {
      for (const c of bridge.channels) {
        if (seen.has(c)) continue;
        seen.add(c);
        if (c.tech !== 'Local') found.push(c.id);
        else if (c.localPeer && !seen.has(c.localPeer) && !c.localPeer.dead) {
          seen.add(c.localPeer);
          if (c.localPeer.bridge) visit(c.localPeer.bridge);
        }
      }
    };
    visit(start.bridge);
    return found;
  }

  /** The music class the channel hears (its own MOH, or its bridge's), or null. */
  mohOf(channelId: string): string | null {
    const ch = this.engine.channelByNameOrId(channelId);
    return ch && !ch.dead ? this.engine.mohOf(ch) : null;
  }

  /** Whether the channel is in Stasis, and in which app with which args. */
  stasisOf(channelId: string): { app: string; args: string[] } | null {
    const ch = this.engine.channelByNameOrId(channelId);
    return ch?.stasis ? { app: ch.stasis.app, args: [...ch.stasis.args] } : null;
  }

  /** Every playback started (live ones and finished ones, newest last), with all its media. */
  /** Every playback started; `missing`: its sound: items that do not exist (nothing was heard for them). */
  playbacks(): Array<PlaybackJson & { medias: string[]; missing: string[] }> {
    return this.engine.playbackHistory.map((p) => ({ ...(p.toJSON() as PlaybackJson), medias: [...p.medias], missing: [...p.missing] }));
  }

  /** Whether a sound id is in the fake's catalogue (the core English sounds 1.6.1 + extraSounds). */
  soundExists(id: string): boolean {
    return this.engine.soundExists(id);
  }

  /** Installs or removes a sound file (a deployment that lacks one of the core sounds). */
  setSoundInstalled(id: string, installed: boolean): void {
    if (installed) this.engine.sounds.set(id, this.engine.sounds.get(id) ?? '');
    else this.engine.sounds.delete(id);
  }

  /**
   * Loads or unloads a module (`module unload res_parking.so`, or an Asterisk where it declined to
   * load for want of res_parking.conf): without res_parking, Park()/ParkedCall() are unknown
   * applications ("No application 'Park'": the channel is hung up), IFMODULE() says 0 and
   * GET /asterisk/modules/res_parking.so answers 404.
   */
  setModuleLoaded(name: string, loaded: boolean): void {
    if (loaded) this.engine.modules.add(name);
    else this.engine.modules.delete(name);
  }

  playback(id: string): PlaybackJson | undefined {
    return this.engine.playbacks.get(id)?.toJSON() as PlaybackJson | undefined;
  }

  deviceState(name: string): string {
    return this.engine.deviceState(name);
  }

  /** Extension state of a hint, "7001@parking-acme" -> "Idle" | "InUse" | "Ringing" | ... */
  hintState(extenAtContext: string): string {
    const at = extenAtContext.lastIndexOf('@');
    const exten = at >= 0 ? extenAtContext.slice(0, at) : extenAtContext;
    const context = at >= 0 ? extenAtContext.slice(at + 1) : 'default';
    return this.engine.extensionState(context, exten);
  }

  /** Registered Stasis apps and whether a WebSocket owns them. */
  apps(): Array<{ name: string; active: boolean; channels: number; bridges: number }> {
    return this.engine.appList().map((a) => ({ name: a.name, active: a.active, channels: a.channels.size, bridges: a.bridges.size }));
  }

  get requests(): RequestLogEntry[] {
    return this.server.requests;
  }

  get requestCount(): number {
    return this.server.requestCount;
  }

  resetRequestCount(): void {
    this.server.resetRequestLog();
  }

  /** Every event sent (or lost because the app had no WebSocket), in order. */
  get events(): SentEvent[] {
    return this.engine.apps.events;
  }

  eventsOf(type: string, app?: string): Array<SentEvent['event']> {
    return this.engine.apps.events.filter((e) => e.event.type === type && (!app || e.app === app)).map((e) => e.event);
  }

  clearEvents(): void {
    this.engine.apps.events.length = 0;
  }

  /** SIP MESSAGEs sent through ARI, delivered or not. */
  get messages(): Engine['messages'] {
    return this.engine.messages;
  }

  get stats(): { httpSessions: number; rejectedSessions: number; webSockets: number; channels: number; bridges: number } {
    return {
      httpSessions: this.server.httpSessions,
      rejectedSessions: this.server.rejectedSessions,
      webSockets: this.server.sessions.size,
      channels: this.engine.channels.size,
      bridges: this.engine.bridges.size,
    };
  }

  /**
   * Resolves when `predicate()` is true; re-checked after every state change and event (no
   * polling). Rejects after `timeoutMs` with `description` and a summary of the fake's state.
   */
  waitFor(predicate: () => boolean, timeoutMs = 2000, description = 'condition'): Promise<void> {
    return this.engine.waitFor(predicate, timeoutMs, () => `${description}\n${this.describeState()}`);
  }

  /** Waits for an event of `type` (after `since`, an index into `events`) matching `match`. */
  async waitForEvent(
    type: string,
    match: (e: SentEvent['event']) => boolean = () => true,
    opts: { timeoutMs?: number; since?: number; app?: string } = {},
  ): Promise<SentEvent['event']> {
    let found: SentEvent['event'] | undefined;
    const since = opts.since ?? 0;
    await this.waitFor(
      () => {
        const evs = this.engine.apps.events;
        for (let i = since; i < evs.length; i++) {
          const e = evs[i];
          if (e.event.type === type && (!opts.app || e.app === opts.app) && match(e.event)) {
            found = e.event;
            return true;
          }
        }
        return false;
      },
      opts.timeoutMs ?? 2000,
      `event ${type}`,
    );
    return found!;
  }

  describeState(): string {
    const chans = [...this.engine.channels.values()]
      .map(
        (c) =>
          `  ${c.id} ${c.name} ${c.state} ${c.context},${c.exten},${c.priority} ${c.appName}(${c.appData})` +
          (c.stasis ? ` [Stasis ${c.stasis.app}]` : '') +
          (c.bridge ? ` [bridge ${c.bridge.id}]` : ''),
      )
      .join('\n');
    const last = this.engine.apps.events
      .slice(-10)
      .map((e) => `  ${e.app}: ${e.event.type}${e.delivered ? '' : ' (lost)'}`)
      .join('\n');
    return `channels:\n${chans || '  (none)'}\nlast events:\n${last || '  (none)'}\napps: ${JSON.stringify(this.apps())}`;
  }
}
