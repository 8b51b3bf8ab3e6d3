/**
 * DTMF received from phones.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine } from '../engine';
import type { Channel } from '../state';
import { astTimestamp } from '../util';

/** DTMF from the phone: ChannelDtmfReceived per digit (stasis_channels.c dtmf_end_to_json). */
export function receiveDtmf(e: Engine, ch: Channel, digits: string, durationMs = 100): void {
  for (const digit of digits) {
    if (ch.dead) return;
    e.apps.channelEvent(ch, () => ({
      type: 'ChannelDtmfReceived',
      timestamp: astTimestamp(),
      digit,
      duration_ms: durationMs,
      channel: e.channelJson(ch),
    }));
  }
  e.notify();
}
