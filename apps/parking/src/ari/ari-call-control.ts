import type { CallControl, ChannelSnapshot, DeviceState, OriginateLocalRequest, OriginateRequest } from '../ports';
import { isParkingError } from '../domain/errors';
import { toParkingError } from './ari-errors';

/** The subset of ari-client's generated API this adapter uses (it ships no types of its own). */
export interface AriClient {
  channels: Record<string, (params?: Record<string, unknown>) => Promise<any>>;
  bridges: Record<string, (params?: Record<string, unknown>) => Promise<any>>;
  deviceStates: Record<string, (params?: Record<string, unknown>) => Promise<any>>;
  endpoints: Record<string, (params?: Record<string, unknown>) => Promise<any>>;
  playbacks: Record<string, (params?: Record<string, unknown>) => Promise<any>>;
  applications: Record<string, (params?: Record<string, unknown>) => Promise<any>>;
  sounds: Record<string, (params?: Record<string, unknown>) => Promise<any>>;
  asterisk: Record<string, (params?: Record<string, unknown>) => Promise<any>>;
}

export interface ChannelJson {
  id: string;
  name: string;
  state: string;
  caller?: { name?: string; number?: string };
  channelvars?: Record<string, string>;
}

export function snapshot(json: ChannelJson): ChannelSnapshot {
  return {
    id: json.id,
    name: json.name,
    state: json.state,
    callerName: json.caller?.name ?? '',
    callerNumber: json.caller?.number ?? '',
    vars: json.channelvars ?? {},
  };
}

/**
 * CallControl on ari-client. One ARI request per method; every failure becomes a
 * ParkingError (call-gone, not-in-stasis, ari-unavailable...). `current` is read on each
 * call because the connection supervisor replaces the client after a reconnection.
 */
export class AriCallControl implements CallControl {
  constructor(
    private readonly current: () => AriClient | null,
    private readonly app: string,
    private readonly onError: (errorId: string) => void = () => undefined,
  ) {}

  private async call<T>(what: string, run: (client: AriClient) => Promise<T>): Promise<T> {
    const client = this.current();
    if (!client) throw toParkingError(Object.assign(new Error('not connected'), { code: 'ECONNREFUSED' }), what);
    try {
      return await run(client);
    } catch (err) {
      const error = toParkingError(err, what);
      this.onError(error.id);
      throw error;
    }
  }

  answer(channelId: string) {
    return this.call('answer', (c) => c.channels.answer({ channelId }));
  }
  hangup(channelId: string, reason: 'normal' | 'busy' | 'answered_elsewhere' | 'no_answer' = 'normal') {
    return this.call('hangup', (c) => c.channels.hangup({ channelId, reason }));
  }
  continueInDialplan(channelId: string, context: string, extension: string, priority: number) {
    return this.call('continue', (c) => c.channels.continueInDialplan({ channelId, context, extension, priority }));
  }
  play(channelId: string, playbackId: string, media: string[]) {
    return this.call('play', (c) => c.channels.playWithId({ channelId, playbackId, media }));
  }
  stopPlayback(playbackId: string) {
    return this.call('stop playback', (c) => c.playbacks.stop({ playbackId }));
  }
  createBridge(bridgeId: string, type: 'holding' | 'mixing', name: string) {
    return this.call('create bridge', (c) => c.bridges.createWithId({ bridgeId, type, name }));
  }
  destroyBridge(bridgeId: string) {
    return this.call('destroy bridge', (c) => c.bridges.destroy({ bridgeId }));
  }
  addToBridge(bridgeId: string, channelIds: string[]) {
    return this.call('add to bridge', (c) => c.bridges.addChannel({ bridgeId, channel: channelIds.join(',') }));
  }
  startBridgeMusic(bridgeId: string, mohClass: string) {
    return this.call('bridge music', (c) => c.bridges.startMoh({ bridgeId, mohClass }));
  }
  startMusic(channelId: string, mohClass: string) {
    return this.call('music', (c) => c.channels.startMoh({ channelId, mohClass }));
  }
  stopMusic(channelId: string) {
    return this.call('stop music', (c) => c.channels.stopMoh({ channelId }));
  }
  /** PUT /asterisk/modules/{name}: e.g. pbx_config.so re-reads the dialplan files (B3). */
  reloadModule(moduleName: string): Promise<void> {
    return this.call('reload module', (c) => c.asterisk!.reloadModule({ moduleName }));
  }
  setDeviceState(name: string, deviceState: DeviceState) {
    return this.call('device state', (c) => c.deviceStates.update({ deviceName: `Stasis:${name}`, deviceState }));
  }
  async listDeviceStates() {
    const states: Array<{ name: string; state: string }> = await this.call('device states', (c) => c.deviceStates.list());
    return states.map((s) => ({ name: s.name, state: s.state }));
  }
  originate(req: OriginateRequest) {
    return this.call('originate', (c) =>
      c.channels.originateWithId({
        channelId: req.channelId,
        endpoint: req.endpoint,
        app: this.app,
        appArgs: req.appArgs.join(','),
        callerId: req.callerId,
        timeout: req.timeoutSec,
        variables: req.variables ?? {},
      }),
    );
  }
  originateLocal(req: OriginateLocalRequest) {
    return this.call('originate local', (c) =>
      c.channels.originate({ endpoint: req.endpoint, context: req.context, extension: req.extension, priority: 1, variables: req.variables }),
    );
  }
  async endpoint(technology: string, resource: string) {
    const json = await this.call('endpoint', (c) => c.endpoints.get({ tech: technology, resource }));
    // 'unknown' is what a registered phone without qualify reports: only 'offline' is unreachable.
    return { online: json.state !== 'offline', channelIds: json.channel_ids ?? [] };
  }
  async channel(channelId: string) {
    return snapshot(await this.call('channel', (c) => c.channels.get({ channelId })));
  }
  async listChannels() {
    const list: ChannelJson[] = await this.call('channels', (c) => c.channels.list());
    return list.map(snapshot);
  }
  async listBridges() {
    const list: Array<{ id: string; bridge_type: string; channels: string[] }> = await this.call('bridges', (c) => c.bridges.list());
    return list.map((b) => ({ id: b.id, type: b.bridge_type, channelIds: b.channels ?? [] }));
  }
  async applicationChannelIds() {
    const app: { channel_ids?: string[] } = await this.call('application', (c) => c.applications.get({ applicationName: this.app }));
    return app.channel_ids ?? [];
  }
  sendMessage(to: string, from: string, body: string) {
    // swagger-client takes an option named `body` as the raw request body, so the query
    // parameter `body` never reaches Asterisk; ARI also reads parameters from a JSON body.
    return this.call('send message', (c) => c.endpoints.sendMessage({ to, from, body: JSON.stringify({ body }) }));
  }
  soundExists(soundId: string) {
    return this.exists('sound', (c) => c.sounds.get({ soundId }));
  }
  moduleLoaded(name: string) {
    return this.exists('module', (c) => c.asterisk.getModule({ moduleName: name }));
  }
  /** A GET whose 404 means "not there" (Sound not found / Module could not be found ...). */
  private async exists(what: string, run: (client: AriClient) => Promise<unknown>): Promise<boolean> {
    try {
      await this.call(what, run);
      return true;
    } catch (err) {
      if (isParkingError(err, 'not-found')) return false;
      throw err;
    }
  }
}
