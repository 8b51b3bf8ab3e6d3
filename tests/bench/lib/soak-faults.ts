/**
 * The soak's faults: planned from a seeded PRNG (same seed, same faults in the same order with
 * the same gaps and lengths), injected one at a time, each followed by the wait until the
 * service has recovered: /readyz 200 (database and ARI), and its queued writes applied.
 */
import type { FakeAsterisk } from '../../support/fake-asterisk';
import type { TcpProxy } from '../../support/tcp-proxy';
import { sleep } from './stats';

export type FaultKind = 'ws-drop' | 'ws-drop-long' | 'asterisk-restart' | 'service-kill' | 'db-cut';

export interface PlannedFault {
  /** Quiet time before it, after the previous fault's recovery. */
  gapMs: number;
  kind: FaultKind;
  /** How long the fault lasts (the WebSocket refused, Asterisk or the service down, the database cut). */
  durationMs: number;
}

export interface FaultRecord extends PlannedFault {
  /** Seconds since the start of the load. */
  atSec: number;
  /** From the end of the fault to /readyz 200 and the write queue empty. */
  recoveryMs: number | null;
}

/** ari-client retries its WebSocket for ~43 s then gives up; the long drop outlasts that. */
export const LONG_DROP_MS = 50_000;

/** mulberry32: a small reproducible PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const uniform = (rand: () => number, lo: number, hi: number) => lo + rand() * (hi - lo);

/**
 * Enough faults to fill `runMs`: the four kinds once each in a shuffled order first, then at
 * random; with `longDrop`, one WebSocket drop outlasting ari-client's retries somewhere among them.
 */
export function planFaults(rand: () => number, runMs: number, opts: { quick: boolean; longDrop: boolean }): PlannedFault[] {
  const gap = () => Math.round(opts.quick ? uniform(rand, 3000, 7000) : uniform(rand, 8000, 22_000));
  const length: Record<FaultKind, () => number> = {
    'ws-drop': () => Math.round(uniform(rand, 300, 4000)),
    'ws-drop-long': () => LONG_DROP_MS,
    'asterisk-restart': () => Math.round(uniform(rand, 0, 2000)),
    'service-kill': () => Math.round(uniform(rand, 200, 3000)),
    'db-cut': () => Math.round(uniform(rand, 1000, 10_000)),
  };
  const first: FaultKind[] = ['ws-drop', 'asterisk-restart', 'service-kill', 'db-cut'];
  for (let i = first.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [first[i], first[j]] = [first[j], first[i]];
  }
  const plan: PlannedFault[] = [];
  let total = 0;
  while (total < runMs) {
    const kind = plan.length < first.length ? first[plan.length] : first[Math.floor(rand() * first.length)];
    const f = { gapMs: gap(), kind, durationMs: length[kind]() };
    plan.push(f);
    total += f.gapMs + f.durationMs + 3000; // ~3 s to recover
  }
  if (opts.longDrop && plan.length > 2) {
    const at = 1 + Math.floor(rand() * (plan.length - 2));
    plan.splice(at, 0, { gapMs: gap(), kind: 'ws-drop-long', durationMs: LONG_DROP_MS });
  }
  return plan;
}

export interface FaultTargets {
  fake: FakeAsterisk;
  proxy: TcpProxy;
  setAsteriskDown(down: boolean): void;
  killService(): Promise<void>;
  startService(): Promise<void>;
  /** Resolves when /readyz answers 200 (rejects after `timeoutMs`). */
  waitReady(timeoutMs: number): Promise<void>;
  /** Resolves when the service's queued database writes are applied (0), or with what is left. */
  waitDrained(timeoutMs: number): Promise<number>;
  /** Start the next fault without waiting for the write queue (a kill may then lose queued writes). */
  overlap: boolean;
  log(msg: string): void;
}

/**
 * Runs the plan until `deadline` (a fault that would not end before it is not started).
 * `current` names the fault under way, or its recovery, for the load to tag what it does.
 */
export class FaultInjector {
  current: string | null = null;
  readonly done: FaultRecord[] = [];
  private stopped = false;

  constructor(
    private readonly t: FaultTargets,
    private readonly plan: PlannedFault[],
    private readonly startedAt: number,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  async run(deadline: number): Promise<void> {
    for (const f of this.plan) {
      await this.sleepUntil(Math.min(deadline, Date.now() + f.gapMs));
      if (this.stopped || Date.now() + f.durationMs + 2000 > deadline) break;
      const record: FaultRecord = { ...f, atSec: Math.round((Date.now() - this.startedAt) / 1000), recoveryMs: null };
      this.current = f.kind;
      this.t.log(`fault ${this.done.length + 1}: ${f.kind} for ${f.durationMs} ms (t=${record.atSec} s)`);
      await this.inject(f);
      this.current = `${f.kind} (recovering)`;
      const ended = Date.now();
      try {
        await this.t.waitReady(120_000);
        // Recovered once its backlog of database writes is applied too (unless told to overlap).
        if (!this.t.overlap && (await this.t.waitDrained(120_000)) !== 0) throw new Error('database writes still queued');
        record.recoveryMs = Date.now() - ended;
      } catch (err) {
        this.t.log(`not ready 120 s after ${f.kind}: ${(err as Error).message.split('\n')[0]}`);
      }
      this.done.push(record);
      this.current = null;
    }
  }

  private async inject(f: PlannedFault): Promise<void> {
    const { fake, proxy } = this.t;
    switch (f.kind) {
      case 'ws-drop':
      case 'ws-drop-long':
        fake.dropWebSocket({ refuse: true });
        await sleep(f.durationMs);
        fake.restoreWebSocket();
        return;
      case 'asterisk-restart':
        this.t.setAsteriskDown(true);
        try {
          await fake.restart({ downtimeMs: f.durationMs });
        } finally {
          this.t.setAsteriskDown(false);
        }
        return;
      case 'service-kill':
        await this.t.killService();
        await sleep(f.durationMs);
        await this.t.startService();
        return;
      case 'db-cut':
        proxy.cut();
        await sleep(f.durationMs);
        proxy.restore();
        return;
    }
  }

  private async sleepUntil(t: number): Promise<void> {
    while (!this.stopped && Date.now() < t) await sleep(Math.min(250, t - Date.now()));
  }
}
