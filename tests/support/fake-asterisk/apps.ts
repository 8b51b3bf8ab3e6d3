/**
 * Stasis applications, their event subscriptions and the WebSocket sessions that own them.
 *
 * Semantics (res/res_stasis.c, res/stasis/app.c, res/ari/ari_websockets.c):
 *  - an app exists while a WebSocket owns it or while it still has subscriptions
 *    (app_is_finished: no handler and no forwards); Stasis() on an app without an owning
 *    WebSocket fails (app_is_active);
 *  - a second WebSocket registering the same app name takes it over; the previous owner gets
 *    ApplicationReplaced and nothing more for that app (app_update, ari_websocket_send_event);
 *  - when the owning WebSocket closes the app is deactivated: events are dropped ("Inactive Stasis
 *    app missed message"), channels stay in Stasis;
 *  - channel events reach the apps subscribed to the channel, bridge events the apps subscribed to
 *    the bridge, device state events the apps subscribed to the device (subscriptions to devices
 *    are kept by app name in res_stasis_device_state.c and outlive the app object);
 *  - subscribeAll apps get every channel, bridge, endpoint and device state event;
 *  - every event gets asterisk_id and application added (app_send, ari_websocket_send_event).
 */
import type WebSocket from 'ws';
import type { Bridge, Channel } from './state';
import { astTimestamp } from './util';

export interface WsSession {
  readonly id: number;
  readonly ws: WebSocket;
  readonly apps: Set<string>;
  readonly subscribeAll: boolean;
  closed: boolean;
}

export interface SentEvent {
  app: string;
  /** The message as sent on the WebSocket. */
  event: Record<string, unknown> & { type: string };
  at: number;
  /** False when the app had no WebSocket (event lost, as in Asterisk). */
  delivered: boolean;
}

export const DEVICE_STATE_ALL = '__AST_DEVICE_STATE_ALL_TOPIC';

export class StasisApp {
  session: WsSession | null = null;
  subscribeAll = false;
  readonly channels = new Set<string>();
  readonly bridges = new Set<string>();
  /** 'PJSIP/101' for one endpoint, 'PJSIP' for a technology. */
  readonly endpoints = new Set<string>();

  constructor(readonly name: string) {}

  get active(): boolean {
    return this.session !== null && !this.session.closed;
  }
}

export class AppRegistry {
  readonly apps = new Map<string, StasisApp>();
  /** Device state subscriptions by app name, then device name. */
  readonly deviceSubs = new Map<string, Set<string>>();
  readonly events: SentEvent[] = [];
  eventLogLimit = 100_000;
  private readonly allApps = new Set<StasisApp>();

  constructor(
    private readonly asteriskId: () => string,
    private readonly onSent: () => void,
  ) {}

  get(name: string): StasisApp | undefined {
    return this.apps.get(name);
  }

  getOrCreate(name: string): StasisApp {
    let app = this.apps.get(name);
    if (!app) {
      app = new StasisApp(name);
      this.apps.set(name, app);
    }
    return app;
  }

  isActive(name: string): boolean {
    return this.apps.get(name)?.active ?? false;
  }

  /** WebSocket registration of one app name (stasis_app_register / app_update). */
  register(name: string, session: WsSession): void {
    const app = this.getOrCreate(name);
    if (app.active && app.session !== session) {
      const old = app.session!;
      this.send(app, { type: 'ApplicationReplaced', timestamp: undefined as unknown as string, application: name });
      old.apps.delete(name);
    }
    app.session = session;
    app.subscribeAll = session.subscribeAll;
    if (session.subscribeAll) this.allApps.add(app);
    else this.allApps.delete(app);
    session.apps.add(name);
  }

  /** The WebSocket went away: deactivate the apps it still owns (stasis_app_unregister). */
  sessionClosed(session: WsSession): void {
    session.closed = true;
    for (const name of session.apps) {
      const app = this.apps.get(name);
      if (app && app.session === session) {
        app.session = null;
        // Only the "all" subscriptions are dropped on unregister; per-object ones stay.
        if (app.subscribeAll) {
          app.subscribeAll = false;
          this.allApps.delete(app);
        }
        this.cleanup(app);
      }
    }
    session.apps.clear();
  }

  /** Removes an inactive app with no subscriptions left (res_stasis.c cleanup()). */
  cleanup(app: StasisApp): void {
    if (!app.active && app.channels.size === 0 && app.bridges.size === 0 && app.endpoints.size === 0) {
      this.apps.delete(app.name);
      this.allApps.delete(app);
    }
  }

  subscribeChannel(appName: string, ch: Channel): StasisApp {
    const app = this.getOrCreate(appName);
    ch.subs.set(appName, (ch.subs.get(appName) ?? 0) + 1);
    app.channels.add(ch.id);
    return app;
  }

  unsubscribeChannel(appName: string, ch: Channel, all = false): void {
    const n = ch.subs.get(appName) ?? 0;
    if (n <= 1 || all) {
      ch.subs.delete(appName);
      const app = this.apps.get(appName);
      if (app) {
        app.channels.delete(ch.id);
        this.cleanup(app);
      }
    } else {
      ch.subs.set(appName, n - 1);
    }
  }

  subscribeBridge(appName: string, b: Bridge): void {
    const app = this.getOrCreate(appName);
    b.subs.set(appName, (b.subs.get(appName) ?? 0) + 1);
    app.bridges.add(b.id);
  }

  unsubscribeBridge(appName: string, b: Bridge, all = false): void {
    const n = b.subs.get(appName) ?? 0;
    if (n <= 1 || all) {
      b.subs.delete(appName);
      const app = this.apps.get(appName);
      if (app) {
        app.bridges.delete(b.id);
        this.cleanup(app);
      }
    } else {
      b.subs.set(appName, n - 1);
    }
  }

  deviceNames(appName: string): string[] {
    return [...(this.deviceSubs.get(appName) ?? [])];
  }

  /** Sends one event to one app; `event` must start with type and timestamp. */
  send(app: StasisApp, event: Record<string, unknown> & { type: string }): void {
    const msg: Record<string, unknown> & { type: string } = { ...event };
    if (msg.timestamp === undefined) msg.timestamp = nowStamp();
    if (msg.asterisk_id === undefined) msg.asterisk_id = this.asteriskId();
    msg.application = app.name;
    const session = app.active ? app.session : null;
    const delivered = !!session && session.ws.readyState === 1;
    if (delivered) session!.ws.send(JSON.stringify(msg));
    if (this.events.length >= this.eventLogLimit) this.events.splice(0, this.events.length >>> 1);
    this.events.push({ app: app.name, event: msg, at: Date.now(), delivered });
    this.onSent();
  }

  /** Channel topic event: apps subscribed to the channel, and subscribeAll apps. */
  channelEvent(ch: Channel, build: () => Record<string, unknown> & { type: string }): void {
    if (ch.subs.size === 0 && this.allApps.size === 0) return;
    const event = build();
    const sent = new Set<string>();
    for (const name of ch.subs.keys()) {
      const app = this.apps.get(name);
      if (app) {
        sent.add(name);
        this.send(app, event);
      }
    }
    for (const app of this.allApps) if (!sent.has(app.name)) this.send(app, event);
  }

  /** Bridge topic event: apps subscribed to the bridge, and subscribeAll apps. */
  bridgeEvent(b: Bridge, build: () => Record<string, unknown> & { type: string }): void {
    if (b.subs.size === 0 && this.allApps.size === 0) return;
    const event = build();
    const sent = new Set<string>();
    for (const name of b.subs.keys()) {
      const app = this.apps.get(name);
      if (app) {
        sent.add(name);
        this.send(app, event);
      }
    }
    for (const app of this.allApps) if (!sent.has(app.name)) this.send(app, event);
  }

  /** Events about several channels (Dial: caller and peer) or bridges (transfers): each app gets it once. */
  multiChannelEvent(chans: Array<Channel | null>, build: () => Record<string, unknown> & { type: string }, bridges: Bridge[] = []): void {
    const targets = new Set<StasisApp>();
    for (const source of [...chans, ...bridges]) {
      if (!source) continue;
      for (const name of source.subs.keys()) {
        const app = this.apps.get(name);
        if (app) targets.add(app);
      }
    }
    for (const app of this.allApps) targets.add(app);
    if (targets.size === 0) return;
    const event = build();
    for (const app of targets) this.send(app, event);
  }

  /** Endpoint events: apps subscribed to the endpoint or its technology, and subscribeAll apps. */
  endpointEvent(tech: string, resource: string, build: () => Record<string, unknown> & { type: string }): void {
    const targets: StasisApp[] = [];
    for (const app of this.apps.values()) {
      if (app.subscribeAll || app.endpoints.has(`${tech}/${resource}`) || app.endpoints.has(tech)) targets.push(app);
    }
    if (targets.length === 0) return;
    const event = build();
    for (const app of targets) this.send(app, event);
  }

  /** DeviceStateChanged to apps subscribed to that device, or to all devices. */
  deviceEvent(device: string, build: () => Record<string, unknown> & { type: string }): void {
    const targets: string[] = [];
    for (const [appName, set] of this.deviceSubs) {
      if (set.has(device) || set.has(DEVICE_STATE_ALL)) targets.push(appName);
    }
    for (const app of this.allApps) if (!targets.includes(app.name)) targets.push(app.name);
    if (targets.length === 0) return;
    const event = build();
    for (const name of targets) {
      // stasis_app_send(): only apps present in the registry; inactive ones miss it.
      const app = this.apps.get(name);
      if (app) this.send(app, event);
    }
  }

  /** Forget everything (Asterisk restart). */
  reset(): void {
    this.apps.clear();
    this.allApps.clear();
    this.deviceSubs.clear();
  }
}

const nowStamp = (): string => astTimestamp();
