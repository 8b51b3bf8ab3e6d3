import { isParkingError } from '../domain/errors';
import { channelKey, playbackKey, type CallEvent } from './channel-events';
import type { ServiceContext } from './context';

export type AnnounceResult = 'finished' | 'gone' | 'interrupted';

/**
 * Plays media to a channel and resolves when it ends, the channel leaves, or (with
 * `interruptible`) a digit is pressed — playback is not stopped by DTMF on its own.
 */
export function announce(
  ctx: ServiceContext,
  channelId: string,
  media: string[],
  opts: { interruptible?: boolean; onDigit?: (digit: string) => void; playbackId?: string } = {},
): Promise<AnnounceResult> {
  const playbackId = opts.playbackId ?? `pb-${ctx.newId()}`;
  return new Promise<AnnounceResult>((resolve) => {
    const offs: Array<() => void> = [];
    const done = (result: AnnounceResult) => {
      offs.forEach((off) => off());
      resolve(result);
    };
    offs.push(ctx.channelEvents.on(playbackKey(playbackId), () => done('finished')));
    offs.push(
      ctx.channelEvents.on(channelKey(channelId), (event: CallEvent) => {
        if (event.type === 'StasisEnd' || event.type === 'ChannelDestroyed') done('gone');
        else if (event.type === 'ChannelDtmfReceived' && opts.interruptible) {
          opts.onDigit?.(event.digit);
          ctx.ari.stopPlayback(playbackId).catch(() => undefined);
          done('interrupted');
        }
      }),
    );
    ctx.ari.play(channelId, playbackId, media).catch((err) => {
      ctx.log.warn({ err, channelId }, 'playback failed');
      done(isParkingError(err, 'call-gone') ? 'gone' : 'finished');
    });
  });
}

/** Plays a prompt, then hangs up: the end of a refused request. */
export async function refuse(ctx: ServiceContext, channelId: string, media: string[]): Promise<void> {
  // Answered first: a prompt as early media, then a decline, is not heard by every phone.
  await ctx.ari.answer(channelId).catch(() => undefined);
  const result = await announce(ctx, channelId, media);
  if (result !== 'gone') await ctx.ari.hangup(channelId).catch(() => undefined);
}

export type DigitsResult = { kind: 'digits'; digits: string } | { kind: 'timeout' } | { kind: 'gone' };

/**
 * Collects digits after a prompt, up to `#` or `maxDigits`. A digit pressed during the
 * prompt stops it and counts. Times out `timeoutMs` after the prompt or the last digit.
 * `typed`: digits already pressed for this entry (type-ahead): they count, and the prompt is
 * not played, since the person is already typing.
 */
export function collectDigits(
  ctx: ServiceContext,
  channelId: string,
  prompt: string[],
  opts: { maxDigits: number; timeoutMs: number; typed?: string },
): Promise<DigitsResult> {
  return new Promise<DigitsResult>((resolve) => {
    let digits = '';
    let finished = false;
    let cancelTimer = () => {};
    const armTimeout = () => {
      cancelTimer();
      cancelTimer = ctx.clock.at(ctx.clock.now() + opts.timeoutMs, () =>
        finish(digits ? { kind: 'digits', digits } : { kind: 'timeout' }),
      );
    };
    const onDigit = (digit: string) => {
      if (finished) return;
      if (digit === '#') return finish({ kind: 'digits', digits });
      digits += digit;
      if (digits.length >= opts.maxDigits) return finish({ kind: 'digits', digits });
      armTimeout();
    };
    const off = ctx.channelEvents.on(channelKey(channelId), (event) => {
      if (event.type === 'StasisEnd' || event.type === 'ChannelDestroyed') finish({ kind: 'gone' });
      else if (event.type === 'ChannelDtmfReceived') onDigit(event.digit);
    });
    function finish(result: DigitsResult) {
      if (finished) return;
      finished = true;
      off();
      cancelTimer();
      resolve(result);
    }
    if (opts.typed) {
      for (const digit of opts.typed) onDigit(digit);
      return;
    }
    announce(ctx, channelId, prompt, { interruptible: true }).then((result) => {
      if (result === 'gone') finish({ kind: 'gone' });
      else if (!finished && digits === '') armTimeout();
    });
  });
}
