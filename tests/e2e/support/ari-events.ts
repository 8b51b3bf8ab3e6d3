/**
 * A second, passive ARI application (`subscribeAll`) that sees every Asterisk event without
 * taking any channel: what the service played to whom (PlaybackStarted), which DTMF digits
 * Asterisk decoded (ChannelDtmfReceived). The service's own application is untouched.
 */
import WebSocket from 'ws';
import type { E2eEnv } from './env';
import { waitFor } from './wait';

export interface AriEvent {
  type: string;
  channel?: { id: string; name: string };
  playback?: { id: string; media_uri: string; target_uri: string; state: string };
  digit?: string;
  [key: string]: unknown;
}

export class AriEvents {
  readonly events: AriEvent[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      try {
        this.events.push(JSON.parse(String(data)) as AriEvent);
      } catch {
        // not an event
      }
    });
  }

  static async connect(env: E2eEnv, app = `e2e-observer-${process.pid}`): Promise<AriEvents> {
    const url = `${env.ariUrl.replace(/^http/, 'ws')}/ari/events?app=${encodeURIComponent(app)}&subscribeAll=true&api_key=${encodeURIComponent(`${env.ariUsername}:${env.ariPassword}`)}`;
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new AriEvents(socket);
  }

  /** Media the service started playing on a channel (sound:..., digits:...), in order. */
  playedOn(channelId: string): string[] {
    return this.events
      .filter((e) => e.type === 'PlaybackStarted' && e.playback?.target_uri === `channel:${channelId}`)
      .map((e) => e.playback!.media_uri);
  }

  /** DTMF digits Asterisk decoded on a channel, in order. */
  digitsOn(channelId: string): string {
    return this.events
      .filter((e) => e.type === 'ChannelDtmfReceived' && e.channel?.id === channelId)
      .map((e) => e.digit)
      .join('');
  }

  waitFor(what: string, find: (e: AriEvent) => boolean, timeoutMs = 10_000): Promise<AriEvent> {
    return waitFor(what, () => this.events.find(find), { timeoutMs });
  }

  close(): void {
    this.socket.close();
  }
}
