import http from 'node:http';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CallEvent } from '../usecases/channel-events';
import type { AriClient, ChannelJson } from './ari-call-control';
import { snapshot } from './ari-call-control';
import { connectAri } from './ari-client';

interface AriClientRuntime extends AriClient, EventEmitter {
  start(app: string): Promise<void>;
  stop(): void;
  ping(): void;
  _ws?: { terminate(): void };
}

export type AriState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface AriConnectionOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  log: Logger;
  /** Keep-alive sockets to ARI, well below Asterisk's http.conf sessionlimit. */
  maxSockets: number;
  pingIntervalMs: number;
  maxBackoffMs: number;
}

const EVENT_TYPES = ['StasisStart', 'StasisEnd', 'ChannelHangupRequest', 'ChannelDestroyed', 'ChannelDtmfReceived', 'PlaybackFinished'] as const;

/**
 * Keeps the service connected to ARI for as long as it runs. ari-client reconnects its
 * WebSocket 10 times (~43 s) and then gives up for good, and it has no keepalive: this
 * supervisor pings, kills a socket that stops answering, and recreates the client with
 * capped backoff forever. `connected` fires on every (re)connection so state is reconciled.
 */
export class AriConnection extends EventEmitter {
  state: AriState = 'connecting';
  private client: AriClientRuntime | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;

  constructor(
    private readonly opts: AriConnectionOptions,
    private readonly onEvent: (event: CallEvent) => void,
  ) {
    super();
    // ari-client (through swagger-client) uses Node's global agent. Node 20's has a 5 s socket
    // timeout whose abort nobody handles, so an ARI request that Asterisk holds longer (behind a
    // playback) would never settle. Replace it: kept-alive sockets, capped, no timeout.
    http.globalAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets, scheduling: 'lifo' });
  }

  /** The live client, or null while disconnected. */
  current = (): AriClient | null => (this.state === 'connected' ? this.client : null);

  start(): void {
    void this.run();
    this.pingTimer = setInterval(() => this.ping(), this.opts.pingIntervalMs);
    this.pingTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.setState('stopped');
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.wake?.();
    try {
      this.client?.stop();
    } catch {
      // already closed
    }
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        const client = await connectAri<AriClientRuntime>(this.opts.url, this.opts.username, this.opts.password);
        if (this.stopped) return;
        this.attach(client);
        const dead = new Promise<void>((resolve) => {
          client.once('WebSocketMaxRetries', (err?: Error) => {
            this.opts.log.warn({ err: err?.message }, 'ARI WebSocket retries exhausted');
            resolve();
          });
          this.wake = resolve;
        });
        await client.start(this.opts.app);
        attempt = 0;
        await dead;
        if (this.stopped) return;
        this.opts.log.warn('ARI WebSocket gave up reconnecting; creating a new client');
        this.emit('gave-up');
      } catch (err) {
        this.opts.log.warn({ err: (err as Error).message, url: this.opts.url }, 'ARI not reachable');
      }
      if (this.stopped) return;
      this.client = null;
      this.setState('reconnecting');
      const delay = Math.min(500 * 2 ** attempt++, this.opts.maxBackoffMs);
      this.opts.log.info({ retryInMs: delay }, 'retrying ARI connection');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private attach(client: AriClientRuntime): void {
    this.client = client;
    client.on('WebSocketConnected', () => {
      this.awaitingPong = false;
      this.setState('connected');
      this.opts.log.info({ app: this.opts.app }, 'ARI connected');
      this.emit('connected');
    });
    client.on('WebSocketReconnecting', (err?: Error) => {
      if (this.state === 'connected') this.opts.log.warn({ err: err?.message }, 'ARI WebSocket lost; reconnecting');
      this.setState('reconnecting');
    });
    client.on('ApplicationReplaced', () => this.emit('replaced'));
    client.on('pong', () => {
      this.awaitingPong = false;
    });
    for (const type of EVENT_TYPES) client.on(type, (event: Record<string, any>) => this.dispatch(type, event));
  }

  private dispatch(type: (typeof EVENT_TYPES)[number], event: Record<string, any>): void {
    // The raw event, before normalising, for diagnostics (the fidelity tests record these).
    this.emit('ari-event', type, event);
    try {
      this.onEvent(normalise(type, event));
    } catch (err) {
      this.opts.log.error({ err, type }, 'event handler failed');
    }
  }

  /** A socket that did not answer the last ping is dead: terminate it so it reconnects. */
  private ping(): void {
    if (this.state !== 'connected' || !this.client) return;
    if (this.awaitingPong) {
      this.opts.log.warn('ARI WebSocket did not answer a ping; reconnecting');
      this.client._ws?.terminate();
      return;
    }
    this.awaitingPong = true;
    this.client.ping();
  }

  private setState(state: AriState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }
}

function normalise(type: (typeof EVENT_TYPES)[number], event: Record<string, any>): CallEvent {
  switch (type) {
    case 'StasisStart':
      return {
        type,
        // After an attended transfer ari-client passes {channel, replace_channel}: always read the event.
        channel: snapshot(event.channel as ChannelJson),
        args: (event.args as string[]) ?? [],
        replacedChannelId: (event.replace_channel as ChannelJson | undefined)?.id ?? null,
        receivedAt: performance.now(),
      };
    case 'StasisEnd':
      return { type, channelId: event.channel.id };
    case 'ChannelHangupRequest':
      return { type, channelId: event.channel.id, cause: Number(event.cause ?? 0), soft: event.soft === true };
    case 'ChannelDestroyed':
      return { type, channelId: event.channel.id, cause: Number(event.cause ?? 0) };
    case 'ChannelDtmfReceived':
      return { type, channelId: event.channel.id, digit: String(event.digit) };
    case 'PlaybackFinished': {
      const target = String(event.playback?.target_uri ?? '');
      return { type, playbackId: event.playback.id, channelId: target.startsWith('channel:') ? target.slice(8) : null };
    }
  }
}
