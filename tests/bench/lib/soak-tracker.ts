/**
 * The soak's referee, inside the fake Asterisk: for every caller it parks (the transferee of
 * a blind transfer, a "parkee"), who ended its call. Like fake-observer.ts it attaches at run
 * time (no change to the fake): it wraps the engine's destroyChannel, ariHangup, joinBridge and
 * wipe on this one instance, which every path of the fake goes through.
 *
 * A parkee's end is legitimate when
 *   - the soak's own phone hung it up (the caller gave up, or ended a conversation),
 *   - it had been connected to a person (a retriever, an answered ring-back, its parker after
 *     a refused park) and that person's phone hung up first (the service then ends the caller),
 *   - Asterisk restarted (every channel vanishes): counted apart, not as lost by the service.
 * Anything else (the service hung it up, the dialplan ended it) is a call lost.
 */
import type { FakeAsterisk } from '../../support/fake-asterisk';

export type Where = 'gone' | 'holding' | 'fallback' | 'connected' | 'bridged-alone' | 'limbo';
export type End = 'abandoned' | 'hung-up-talking' | 'ended-by-partner' | 'asterisk-restart' | 'lost';

export interface Parkee {
  id: string;
  place: string;
  parker: string;
  startedAt: number;
  /** Fault active (or recovery under way) when the park was attempted. */
  disturbed: string | null;
  everHolding: boolean;
  everFallback: boolean;
  /** The last person it was bridged with (not another parkee), and when. */
  partner?: string;
  connectedAt?: number;
  end?: End;
  endedAt?: number;
  /** For a lost call: how it went (ari / dialplan), where it was, its cause. */
  lostHow?: Record<string, unknown>;
}

type Ch = { id: string; dead: boolean; phone?: unknown; bridge: Br | null; hangupCause: number; name: string; appName: string };
type Br = { id: string; bridgeClass: string; bridgeType: string; channels: Ch[] };

export class SoakTracker {
  readonly parkees = new Map<string, Parkee>();
  /** Channels the soak's phones hung up themselves. */
  private readonly byPhone = new Set<string>();
  /** Non-parkee channel -> the parkee it was bridged with (retrievers, ring-backs). */
  readonly partnerOf = new Map<string, string>();
  private ariHangupOf: string | null = null;

  constructor(
    private readonly fake: FakeAsterisk,
    private readonly faultNow: () => string | null,
  ) {
    const engine = fake.engine as any;
    const destroy = engine.destroyChannel.bind(engine);
    engine.destroyChannel = (ch: Ch, cause: number, tech?: number) => {
      if (!ch.dead) this.onDestroy(ch, cause);
      return destroy(ch, cause, tech);
    };
    const ariHangup = engine.ariHangup.bind(engine);
    engine.ariHangup = (ch: Ch, cause: number) => {
      this.ariHangupOf = ch.id;
      try {
        return ariHangup(ch, cause);
      } finally {
        this.ariHangupOf = null;
      }
    };
    const join = engine.joinBridge.bind(engine);
    engine.joinBridge = (ch: Ch, b: Br) => {
      const r = join(ch, b);
      if (ch.bridge === b) this.onJoin(b);
      return r;
    };
    const wipe = engine.wipe.bind(engine);
    engine.wipe = () => {
      const now = Date.now();
      for (const p of this.parkees.values()) {
        if (!p.end && engine.channels.has(p.id)) Object.assign(p, { end: 'asterisk-restart', endedAt: now });
      }
      return wipe();
    };
  }

  /** Registers the transferee of a call about to be blind-transferred to `place`. */
  add(id: string, place: string, parker: string): Parkee {
    const p: Parkee = { id, place, parker, startedAt: Date.now(), disturbed: this.faultNow(), everHolding: false, everFallback: false };
    this.parkees.set(id, p);
    return p;
  }

  /** The phone of channel `id` hangs up (a soak action). */
  hangup(id: string): boolean {
    this.byPhone.add(id);
    try {
      this.fake.hangup(id);
      return true;
    } catch {
      return false; // gone already
    }
  }

  private channel(id: string): Ch | undefined {
    const ch = (this.fake.engine as any).channels.get(id) as Ch | undefined;
    return ch && !ch.dead ? ch : undefined;
  }

  alive(id: string): boolean {
    return this.channel(id) !== undefined;
  }

  /** Where a parkee is now, as Asterisk sees it. */
  where(id: string): Where {
    const ch = this.channel(id);
    if (!ch) return 'gone';
    const b = ch.bridge;
    if (!b) return 'limbo';
    if (b.bridgeClass === 'parking') return 'fallback';
    if (b.bridgeType === 'holding' && b.id.startsWith('parking-')) return 'holding';
    return b.channels.some((c) => c !== ch && !this.parkees.has(c.id)) ? 'connected' : 'bridged-alone';
  }

  /** Live parkees in the service's holding bridges (the truth to compare the service with). */
  inHolding(): string[] {
    return [...this.parkees.values()].filter((p) => !p.end && this.where(p.id) === 'holding').map((p) => p.id);
  }

  private onJoin(b: Br): void {
    const people = b.channels.filter((c) => !this.parkees.has(c.id) && c.phone);
    for (const c of b.channels) {
      const p = this.parkees.get(c.id);
      if (!p) continue;
      if (b.bridgeClass === 'parking') p.everFallback = true;
      else if (b.bridgeType === 'holding' && b.id.startsWith('parking-')) p.everHolding = true;
      const partner = people[0];
      if (partner && b.bridgeType !== 'holding') {
        p.partner = partner.id;
        p.connectedAt = Date.now();
        this.partnerOf.set(partner.id, p.id);
      }
    }
  }

  private onDestroy(ch: Ch, cause: number): void {
    const p = this.parkees.get(ch.id);
    if (!p || p.end) return;
    p.endedAt = Date.now();
    if (this.byPhone.has(ch.id)) {
      p.end = p.partner && this.alive(p.partner) ? 'hung-up-talking' : 'abandoned';
    } else if (p.partner && this.byPhone.has(p.partner)) {
      p.end = 'ended-by-partner';
    } else {
      p.end = 'lost';
      p.lostHow = {
        by: this.ariHangupOf === ch.id ? 'service (ARI hangup)' : `dialplan/Asterisk (${ch.appName || 'no app'})`,
        cause,
        bridge: ch.bridge ? `${ch.bridge.id} (${ch.bridge.bridgeClass})` : null,
        partner: p.partner ?? null,
        place: p.place,
        fault: this.faultNow(),
        everHolding: p.everHolding,
        everFallback: p.everFallback,
        parkedForMs: p.endedAt - p.startedAt,
      };
    }
  }
}
