import type { ChannelSnapshot } from '../ports';

/** The ARI events the use cases react to, as the ARI adapter normalises them. */
export type CallEvent =
  | { type: 'StasisStart'; channel: ChannelSnapshot; args: string[]; replacedChannelId: string | null; receivedAt: number }
  | { type: 'StasisEnd'; channelId: string }
  /** `soft`: Asterisk asked the channel to hang up; `cause` is then the reason flag (AST_SOFTHANGUP_*). */
  | { type: 'ChannelHangupRequest'; channelId: string; cause: number; soft: boolean }
  | { type: 'ChannelDestroyed'; channelId: string; cause: number }
  | { type: 'ChannelDtmfReceived'; channelId: string; digit: string }
  | { type: 'PlaybackFinished'; playbackId: string; channelId: string | null };

type Listener = (event: CallEvent) => void;

/**
 * Per-channel and per-playback listeners. A flow subscribes before it acts (ids are chosen
 * by us), so no event can arrive before anyone listens.
 */
export class ChannelEvents {
  private readonly listeners = new Map<string, Set<Listener>>();

  on(key: string, listener: Listener): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(key);
    };
  }

  emit(event: CallEvent): void {
    const key = eventKey(event);
    const set = key ? this.listeners.get(key) : undefined;
    if (set) for (const listener of [...set]) listener(event);
  }

  /** Number of keys listened to; the benchmark watches it for leaks. */
  get size(): number {
    return this.listeners.size;
  }
}

export const channelKey = (channelId: string) => `channel:${channelId}`;
export const playbackKey = (playbackId: string) => `playback:${playbackId}`;

function eventKey(event: CallEvent): string | null {
  switch (event.type) {
    case 'StasisStart':
      return channelKey(event.channel.id);
    case 'PlaybackFinished':
      return playbackKey(event.playbackId);
    default:
      return channelKey(event.channelId);
  }
}
