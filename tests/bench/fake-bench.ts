/**
 * The benchmark against the fake Asterisk: the real service (built, in a child process, real
 * PostgreSQL) drives the fake over real HTTP and WebSocket; this process plays the phones and
 * measures at the fake, on its clock (see lib/fake-observer.ts).
 *
 * Phases (each figure says which one it comes from):
 *   start      the service connects and reconciles (4000 places): requests counted apart
 *   warm-up    park/retrieve cycles that create the holding bridge and warm the JIT
 *   level 1    sequential cycles park -> retrieve -> hang up, nothing else parked
 *   fill       0 -> 1000 parked, one park after the other: CPU, memory, DB per park
 *   level 1000 cycles with 999 other calls parked
 *   drain      900 retrieves in a row: CPU, DB per retrieve; then 900 hang-ups
 *   level 100  cycles with 99 other calls parked
 *   ramp       open-loop parks at rising rates, each caller hangs up after 2 s
 *   recall     1000 calls parked on places with a short recall timer, every ring-back timed
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { renderTenantDialplan } from '../../apps/parking/src/domain/dialplan';
import { PrismaConfigSource } from '../../apps/parking/src/store/config-store';
import { createPrismaClient } from '../../apps/parking/src/store/database';
import { FakeAsterisk } from '../support/fake-asterisk';
import { dbDelta, openBenchDatabase, type BenchDatabase, type DbDelta, type StatementCounts } from './lib/database';
import { FakeObserver, handled, perOp, type RequestRecord } from './lib/fake-observer';
import { ensureBuilt, startService, type ServiceProcess, type Usage } from './lib/service';
import { percentile, round, sleep, summarize, type Summary } from './lib/stats';

const ROOT = path.resolve(__dirname, '../..');
const SLUG = 'acme';
const MAIN_SLOTS = range(7000, 10000); // 3000 call park extensions for the park/retrieve phases
const RECALL_SLOTS = range(6000, 7000); // 1000 with a short recall timer
const PARKERS = range(10000, 10100).map(String); // receptionists who blind-transfer callers
const RECALL_PARKER = (slot: number) => String(11000 + (slot - 6000)); // one parker per recall place
const CALLEE = (slot: number) => String(20000 + slot); // the phone whose call gets parked on `slot`
const RETRIEVERS = range(30000, 30020).map(String);
const PARK_TIMEOUT_MS = 10_000;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

export interface FakeBenchOptions {
  samples: number;
  levels: number[];
  rampRates: number[];
  rampStepMs: number;
  holdMs: number;
  recallTimerSec: number;
  recallCalls: number;
  /** Parks per second of the recall phase, hence recalls coming due per second. */
  recallRate: number;
  ramp: boolean;
  recall: boolean;
  /** Where the service writes a V8 CPU profile (node --cpu-prof) when it stops; none when unset. */
  profileDir?: string;
  /** The service's LOG_LEVEL (default warn) and a file for its whole log. */
  serviceLogLevel?: string;
  serviceLogFile?: string;
  log: (msg: string) => void;
}

export const defaultFakeOptions: Omit<FakeBenchOptions, 'log'> = {
  samples: 300,
  levels: [1, 100, 1000],
  rampRates: [50, 100, 150, 200, 300, 400],
  // 10 s: each step then holds one expiry of the service's 10 s configuration cache.
  rampStepMs: 10_000,
  holdMs: 2000,
  recallTimerSec: 15,
  recallCalls: 1000,
  recallRate: 100,
  ramp: true,
  recall: true,
};

interface Watch {
  start?: number;
  end?: number;
  resolve: (r: { latency: number; start: number; end: number }) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface ParkWatch extends Watch {
  calleeId: string;
  lamp: string;
  join?: number;
  lampT?: number;
  /** Whether the bridge had music when the callee joined; else the time music was (re)started. */
  musicAtJoin?: boolean;
  musicT?: number;
}

interface RetrieveWatch extends Watch {
  calleeId: string;
  retrieverId: string;
  joins: Map<string, { bridge: string; t: number }>;
}

export interface LevelResult {
  parked: number;
  park: Summary;
  retrieve: Summary;
  requests: { park: PerOp; retrieve: PerOp; hangup: PerOp };
  mohMissing: number;
  /** The five slowest parks: when (ms since the service was ready) and how long. */
  slowestParks: Array<{ at: number; ms: number }>;
}

type PerOp = { total: number; byTemplate: Record<string, number> };

export class FakeBench {
  private fake!: FakeAsterisk;
  private obs!: FakeObserver;
  private svc!: ServiceProcess;
  private db!: BenchDatabase;
  private readonly parks = new Map<string, ParkWatch>();
  private readonly parksByLamp = new Map<string, ParkWatch>();
  private readonly retrieves = new Map<string, RetrieveWatch>();
  private readonly lampWaiters = new Map<string, Array<{ state: string; resolve: () => void }>>();
  private lastRequestT = 0;
  private readyAt = 0;
  /** Background calls: slot -> callee channel id. */
  private readonly parked = new Map<number, string>();
  private retrieverTurn = 0;
  private parkerTurn = 0;
  readonly result: Record<string, any> = {};

  constructor(private readonly opts: FakeBenchOptions) {}

  private log(msg: string): void {
    this.opts.log(msg);
  }

  /* --------------------------------- setup -------------------------------- */

  async setUp(): Promise<void> {
    const t0 = performance.now();
    ensureBuilt((m) => this.log(m));
    this.db = await openBenchDatabase((m) => this.log(m));
    const prisma = createPrismaClient(this.db.url, { poolSize: 2 });
    try {
      const tenant = await prisma.tenant.create({
        data: {
          slug: SLUG,
          name: 'ACME',
          recallTimerSec: 3600, // no recall in the park/retrieve phases
          maxParkTimeSec: 7200,
          recallRingSec: 30,
          slotLimit: 10_000,
        },
      });
      const extensions = [...PARKERS, ...RECALL_SLOTS.map(RECALL_PARKER), ...RETRIEVERS];
      await prisma.extension.createMany({
        data: extensions.map((number) => ({ tenantId: tenant.id, number, name: `Phone ${number}`, endpoint: `PJSIP/${number}` })),
      });
      await prisma.parkSlot.createMany({
        data: [
          ...MAIN_SLOTS.map((n) => ({ tenantId: tenant.id, number: String(n) })),
          ...RECALL_SLOTS.map((n) => ({ tenantId: tenant.id, number: String(n), recallTimerSec: this.opts.recallTimerSec })),
        ],
      });
      const tenants = await new PrismaConfigSource(prisma).allTenants();
      // What the service does when its 10 s configuration cache expires (the call that finds it
      // expired waits for it): the same query, timed here, warm.
      const loads: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await new PrismaConfigSource(prisma).tenantBySlug(SLUG);
        loads.push(performance.now() - t);
      }
      this.result.configLoadMs = summarize(loads.slice(1));
      this.fake = await FakeAsterisk.start({
        dialplanFiles: [path.join(ROOT, 'asterisk-conf/extensions.conf.sample')],
        dialplan: ['[from-bench]', `include => parking-${SLUG}`, 'exten => _[123]XXXX,1,Dial(PJSIP/${EXTEN},30)', ' same => n,Hangup()', ''].join('\n'),
        logLimit: 1000,
      });
      this.fake.loadDialplan(renderTenantDialplan(tenants, 'parking'));
      this.result.setup = { extensions: extensions.length, places: MAIN_SLOTS.length + RECALL_SLOTS.length };
    } finally {
      await prisma.$disconnect();
    }
    for (const n of [...PARKERS, ...RETRIEVERS]) this.fake.addPhone({ number: n, context: 'from-bench' });
    for (const s of RECALL_SLOTS) {
      // One ring-back in ten is answered (and connects the caller); the others ring out.
      this.fake.addPhone({ number: RECALL_PARKER(s), context: 'from-bench', behavior: s % 10 === 0 ? 'answer' : 'noanswer' });
    }
    for (const s of [...MAIN_SLOTS, ...RECALL_SLOTS]) this.fake.addPhone({ number: CALLEE(s), context: 'from-bench' });
    this.obs = new FakeObserver(this.fake, SLUG);
    this.watchCalls();

    this.obs.startRecording();
    const connectT = performance.now();
    this.svc = await startService({ DATABASE_URL: this.db.url, ARI_URL: this.fake.url, LOG_LEVEL: this.opts.serviceLogLevel ?? 'warn' }, (m) => this.log(m), {
      profileDir: this.opts.profileDir,
      logFile: this.opts.serviceLogFile,
    });
    await this.svc.waitReady(60_000);
    const readyMs = performance.now() - connectT;
    this.readyAt = performance.now();
    // Reconciliation (on connect) sets every lamp Asterisk does not already show right; the
    // fake starts with an empty astdb, as a new Asterisk would: wait until all are set.
    const lamps = MAIN_SLOTS.length + RECALL_SLOTS.length + 1;
    const deadline = performance.now() + 120_000;
    while (this.fake.engine.astdb.size < lamps) {
      if (performance.now() > deadline) throw new Error(`reconciliation set only ${this.fake.engine.astdb.size}/${lamps} lamps`);
      await sleep(20);
    }
    const reconciledMs = this.lastRequestT - connectT;
    await this.quiet(300, 30_000);
    const startup = this.obs.stopRecording();
    this.result.startup = {
      readyMs: round(readyMs, 0),
      reconciledMs: round(reconciledMs, 0),
      lamps,
      requests: startup.length,
      byTemplate: perOp(startup, 1).byTemplate,
    };
    this.log(`service ready (pid ${this.svc.pid}); set-up took ${Math.round(performance.now() - t0)} ms, start-up sent ${startup.length} ARI requests`);
  }

  async tearDown(): Promise<void> {
    const errors: string[] = [];
    if (this.svc) await this.svc.stop().catch((e) => errors.push(String(e)));
    if (this.fake) await this.fake.stop().catch((e) => errors.push(String(e)));
    if (this.db) await this.db.close().catch((e) => errors.push(String(e)));
    if (errors.length) this.log(`tear-down: ${errors.join('; ')}`);
  }

  /* ----------------------------- observation ------------------------------ */

  private watchCalls(): void {
    this.obs.on({
      request: (r) => {
        this.lastRequestT = r.t;
        if (r.template === 'POST /bridges/{holding}/moh') {
          for (const p of this.parks.values()) {
            if (p.start !== undefined && p.musicT === undefined) {
              p.musicT = r.t;
              this.checkPark(p);
            }
          }
        }
        if (process.env.BENCH_DEBUG) this.log(`${r.t.toFixed(3)} ${r.method} ${r.path} ${JSON.stringify(r.query)} -> ${r.template}`);
      },
      event: (e) => {
        const ev = e.event;
        if (process.env.BENCH_DEBUG) this.log(`${e.t.toFixed(3)} event ${e.type} ${ev.channel?.id ?? ''} ${ev.bridge?.id ?? ''}`);
        if (e.type === 'StasisStart') {
          const id = ev.channel?.id as string;
          const p = this.parks.get(id);
          if (p && p.start === undefined) p.start = e.t;
          const r = this.retrieves.get(id);
          if (r && id === r.retrieverId && r.start === undefined) r.start = e.t;
        } else if (e.type === 'ChannelEnteredBridge') {
          const id = ev.channel?.id as string;
          const bridge = ev.bridge as { id: string; bridge_type: string };
          const p = this.parks.get(id);
          if (p && bridge.bridge_type === 'holding' && p.start !== undefined) {
            p.join = e.t;
            p.musicAtJoin = this.fake.mohOf(id) !== null;
            this.checkPark(p);
          }
          const r = this.retrieves.get(id);
          if (r && bridge.id.startsWith('connect-')) {
            r.joins.set(id, { bridge: bridge.id, t: e.t });
            const a = r.joins.get(r.calleeId);
            const b = r.joins.get(r.retrieverId);
            if (a && b && a.bridge === b.bridge && r.start !== undefined) this.finish(r, Math.max(a.t, b.t), [r.calleeId, r.retrieverId], this.retrieves);
          }
        }
      },
      lamp: (name, state, t) => {
        const p = this.parksByLamp.get(name);
        if (p && state === 'INUSE' && p.start !== undefined) {
          p.lampT = t;
          this.checkPark(p);
        }
        const waiters = this.lampWaiters.get(name);
        if (waiters) {
          const left = waiters.filter((w) => (w.state === state ? (w.resolve(), false) : true));
          if (left.length) this.lampWaiters.set(name, left);
          else this.lampWaiters.delete(name);
        }
      },
    });
  }

  /** Parked: in the holding bridge, with music (there already, or started since), lamp INUSE. */
  private checkPark(p: ParkWatch): void {
    if (p.join === undefined || p.lampT === undefined) return;
    if (!p.musicAtJoin && p.musicT === undefined) return;
    this.parksByLamp.delete(p.lamp);
    this.finish(p, Math.max(p.join, p.lampT, p.musicAtJoin ? 0 : p.musicT!), [p.calleeId], this.parks);
  }

  private finish(w: Watch, end: number, keys: string[], map: Map<string, Watch>): void {
    for (const k of keys) map.delete(k);
    clearTimeout(w.timer);
    w.end = end;
    w.resolve({ latency: end - w.start!, start: w.start!, end });
  }

  private lampName(slot: number): string {
    return `park-${SLUG}-${slot}`;
  }

  /** Resolves when the lamp of `slot` is next set to `state`. */
  private lamp(slot: number, state: string, timeoutMs = PARK_TIMEOUT_MS): Promise<void> {
    const name = this.lampName(slot);
    return handled(new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lamp ${name} not ${state} within ${timeoutMs} ms`)), timeoutMs);
      const list = this.lampWaiters.get(name) ?? [];
      list.push({
        state,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      this.lampWaiters.set(name, list);
    }));
  }

  /** Resolves once no ARI request has arrived for `ms`. */
  private async quiet(ms: number, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const idle = performance.now() - this.lastRequestT;
      if (idle >= ms) return;
      if (performance.now() > deadline) throw new Error(`ARI never quiet for ${ms} ms`);
      await sleep(Math.max(1, ms - idle));
    }
  }

  /* ------------------------------ operations ------------------------------ */

  /**
   * A parker calls the callee of `slot` and blind-transfers the call to `slot` (a call park
   * extension). Done when the callee is in the holding bridge and the place's lamp is INUSE;
   * latency from the callee's StasisStart.
   */
  private park(slot: number, parker: string): { calleeId: string; done: Promise<{ latency: number; start: number; end: number }> } {
    const call = this.fake.call(parker, CALLEE(slot));
    const calleeId = call.calleeChannelId;
    const lamp = this.lampName(slot);
    const done = handled(new Promise<{ latency: number; start: number; end: number }>((resolve, reject) => {
      const w: ParkWatch = {
        calleeId,
        lamp,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.parks.delete(calleeId);
          if (this.parksByLamp.get(lamp) === w) this.parksByLamp.delete(lamp);
          reject(new Error(`park on ${slot} not done within ${PARK_TIMEOUT_MS} ms`));
        }, PARK_TIMEOUT_MS),
      };
      this.parks.set(calleeId, w);
      this.parksByLamp.set(lamp, w);
    }));
    this.fake.blindTransfer(call.callerChannelId, String(slot));
    return { calleeId, done };
  }

  /** A retriever dials `slot` (a BLF key press). Done when retriever and callee share a bridge. */
  private retrieve(slot: number, calleeId: string): { retrieverId: string; done: Promise<{ latency: number; start: number; end: number }> } {
    const retriever = RETRIEVERS[this.retrieverTurn++ % RETRIEVERS.length];
    const retrieverId = this.fake.dial(retriever, String(slot));
    const done = handled(new Promise<{ latency: number; start: number; end: number }>((resolve, reject) => {
      const w: RetrieveWatch = {
        calleeId,
        retrieverId,
        joins: new Map(),
        resolve,
        reject,
        timer: setTimeout(() => {
          this.retrieves.delete(calleeId);
          this.retrieves.delete(retrieverId);
          reject(new Error(`retrieve of ${slot} not done within ${PARK_TIMEOUT_MS} ms`));
        }, PARK_TIMEOUT_MS),
      };
      this.retrieves.set(calleeId, w);
      this.retrieves.set(retrieverId, w);
    }));
    return { retrieverId, done };
  }

  private nextParker(): string {
    return PARKERS[this.parkerTurn++ % PARKERS.length];
  }

  private freeSlots(): number[] {
    return MAIN_SLOTS.filter((s) => !this.parked.has(s));
  }

  /**
   * One measured cycle: park, retrieve, the retriever hangs up. Between steps the bench waits
   * for the step's last request and for ARI to be quiet for 2 ms, so every request lands in
   * the window of the step that caused it.
   */
  private async cycle(slot: number): Promise<{ park: number; parkAt: number; retrieve: number; windows: RequestRecord[][]; moh: boolean }> {
    const mark = () => this.obs.requests.length;
    const m0 = mark();
    const notified = this.obs.nextRequest((r) => r.template === 'PUT /endpoints/sendMessage', PARK_TIMEOUT_MS, 'park notification');
    const { calleeId, done } = this.park(slot, this.nextParker());
    const park = await done;
    await notified;
    const moh = this.fake.mohOf(calleeId) !== null;
    await this.quiet(2);
    const m1 = mark();
    const lampOff = this.lamp(slot, 'NOT_INUSE');
    const r = this.retrieve(slot, calleeId);
    const retrieve = await r.done;
    await lampOff;
    await this.quiet(2);
    const m2 = mark();
    const bridgeGone = this.obs.nextRequest((q) => q.method === 'DELETE' && q.template === 'DELETE /bridges/{connect}', PARK_TIMEOUT_MS, 'bridge destroyed');
    this.fake.hangup(r.retrieverId);
    await bridgeGone;
    await this.quiet(2);
    const m3 = mark();
    const all = this.obs.requests;
    return { park: park.latency, parkAt: park.start, retrieve: retrieve.latency, windows: [all.slice(m0, m1), all.slice(m1, m2), all.slice(m2, m3)], moh };
  }

  private async cycles(n: number, label: string): Promise<LevelResult> {
    const parkLat: number[] = [];
    const parkAt: number[] = [];
    const retrieveLat: number[] = [];
    const windows: RequestRecord[][] = [[], [], []];
    let mohMissing = 0;
    const free = this.freeSlots();
    this.obs.startRecording();
    for (let i = 0; i < n; i++) {
      const c = await this.cycle(free[i % free.length]);
      parkLat.push(c.park);
      parkAt.push(c.parkAt);
      retrieveLat.push(c.retrieve);
      c.windows.forEach((w, k) => windows[k].push(...w));
      if (!c.moh) mohMissing++;
      if (this.obs.requests.length > 100_000) this.obs.requests = [];
    }
    this.obs.stopRecording();
    const res: LevelResult = {
      parked: this.parked.size + 1,
      park: summarize(parkLat),
      retrieve: summarize(retrieveLat),
      requests: { park: perOp(windows[0], n), retrieve: perOp(windows[1], n), hangup: perOp(windows[2], n) },
      mohMissing,
      slowestParks: slowest(parkLat, parkAt, this.readyAt),
    };
    this.log(
      `${label}: park p50 ${res.park.p50.toFixed(2)} p99 ${res.park.p99.toFixed(2)} ms, retrieve p50 ${res.retrieve.p50.toFixed(2)} p99 ${res.retrieve.p99.toFixed(2)} ms` +
        ` (${n} cycles, ${res.parked} parked)`,
    );
    return res;
  }

  /** Parks background calls one after the other until `count` are parked. */
  private fillAt: number[] = [];

  private async fillTo(count: number): Promise<number[]> {
    const lat: number[] = [];
    this.fillAt = [];
    const free = this.freeSlots();
    while (this.parked.size < count) {
      const slot = free.shift()!;
      const { calleeId, done } = this.park(slot, this.nextParker());
      const r = await done;
      lat.push(r.latency);
      this.fillAt.push(r.start);
      this.parked.set(slot, calleeId);
    }
    return lat;
  }

  /* -------------------------------- phases -------------------------------- */

  private phaseT = performance.now();
  readonly phases: Record<string, number> = {};

  private phase(name: string): void {
    const now = performance.now();
    this.phases[name] = round((now - this.phaseT) / 1000, 1);
    this.phaseT = now;
  }

  async run(): Promise<Record<string, any>> {
    const o = this.opts;
    this.phase('set-up');
    this.result.phaseSeconds = this.phases;
    const levels: Record<string, LevelResult> = {};

    // Warm-up: the first park creates the holding bridge and starts its music.
    this.obs.startRecording();
    const warmStart = this.obs.requests.length;
    await this.cycle(MAIN_SLOTS[0]);
    const firstCycle = this.obs.requests.slice(warmStart);
    this.obs.stopRecording();
    for (let i = 0; i < 50; i++) await this.cycle(MAIN_SLOTS[i % 10]);
    this.result.warmup = { firstCycleRequests: firstCycle.length, firstCycle: perOp(firstCycle, 1).byTemplate };

    const sortedLevels = [...o.levels].sort((a, b) => a - b);
    const top = sortedLevels[sortedLevels.length - 1];
    // Levels below the top are measured on the way down from it, after the fill.
    if (sortedLevels[0] === 1) levels['1'] = await this.cycles(o.samples, 'level 1');

    // Fill 0 -> top: memory and CPU per parked call, database work per park.
    await this.svc.waitDrained(30_000);
    const u0 = await this.svc.usage(true);
    const proc0 = this.svc.proc();
    const db0 = await this.db.snapshot();
    const fillStart = performance.now();
    const fillLat = await this.fillTo(top);
    const fillMs = performance.now() - fillStart;
    const fillRemaining = await this.svc.waitDrained(60_000);
    const u1 = await this.svc.usage(true);
    const proc1 = this.svc.proc();
    const db1 = await this.db.snapshot();
    this.result.fill = {
      parks: top,
      wallMs: round(fillMs, 0),
      park: summarize(fillLat),
      slowestParks: slowest(fillLat, this.fillAt, this.readyAt),
      pendingWritesLeft: fillRemaining,
      cpuMsPerPark: (cpuMs(u1) - cpuMs(u0)) / top,
      procCpuMsPerPark: proc0 && proc1 ? (proc1.cpuMs - proc0.cpuMs) / top : null,
      heapBytesPerCall: (u1.memory.heapUsed - u0.memory.heapUsed) / top,
      rssBytesPerCall: (u1.memory.rss - u0.memory.rss) / top,
      externalBytesPerCall: (u1.memory.external - u0.memory.external) / top,
      memoryAt0: u0.memory,
      memoryAtTop: u1.memory,
      db: perOpDb(dbDelta(db0, db1), top),
    };
    this.log(
      `fill 0 -> ${top}: ${Math.round(fillMs)} ms, CPU ${this.result.fill.cpuMsPerPark.toFixed(3)} ms/park, ` +
        `heap ${(this.result.fill.heapBytesPerCall / 1024).toFixed(1)} KB/call, RSS ${(this.result.fill.rssBytesPerCall / 1024).toFixed(1)} KB/call`,
    );

    // Down from the top: one call out, so that the measured one makes `top`.
    await this.retrieveBackground(1, false);
    levels[String(top)] = await this.cycles(o.samples, `level ${top}`);

    // The remaining levels, retrieving background calls in bulk on the way (CPU, DB per retrieve).
    for (const level of [...sortedLevels].reverse().slice(1)) {
      if (level === 1) continue;
      const drop = this.parked.size - (level - 1);
      const measured = await this.retrieveBackground(drop, true);
      if (!this.result.retrieveBulk) this.result.retrieveBulk = measured;
      levels[String(level)] = await this.cycles(o.samples, `level ${level}`);
    }
    await this.retrieveBackground(this.parked.size, false);
    this.result.levels = levels;

    this.phase('park/retrieve levels');
    if (o.ramp) this.result.ramp = await this.ramp();
    this.phase('ramp');
    if (o.recall) this.result.recall = await this.recall();
    this.phase('recall');
    this.result.startupRequestsTotal = this.result.startup.requests;
    return this.result;
  }

  /**
   * Retrieves `n` background calls one after the other (each by another dial), then hangs
   * them all up. With `measure`, the service's CPU and database work per retrieve and per
   * hang-up are taken around each half.
   */
  private async retrieveBackground(n: number, measure: boolean): Promise<Record<string, any> | null> {
    const slots = [...this.parked.keys()].slice(-n);
    const lat: number[] = [];
    const retrievers: string[] = [];
    let u0: Usage | null = null;
    let db0: StatementCounts | null = null;
    if (measure) {
      await this.svc.waitDrained(30_000);
      u0 = await this.svc.usage();
      db0 = await this.db.snapshot();
    }
    const start = performance.now();
    for (const slot of slots) {
      const calleeId = this.parked.get(slot)!;
      const lampOff = this.lamp(slot, 'NOT_INUSE');
      const r = this.retrieve(slot, calleeId);
      lat.push((await r.done).latency);
      await lampOff;
      retrievers.push(r.retrieverId);
      this.parked.delete(slot);
    }
    const wallMs = performance.now() - start;
    let result: Record<string, any> | null = null;
    let u1: Usage | null = null;
    let db1: StatementCounts | null = null;
    if (measure) {
      await this.svc.waitDrained(60_000);
      u1 = await this.svc.usage();
      db1 = await this.db.snapshot();
      result = {
        retrieves: n,
        wallMs: round(wallMs, 0),
        retrieve: summarize(lat),
        cpuMsPerRetrieve: (cpuMs(u1) - cpuMs(u0!)) / n,
        db: perOpDb(dbDelta(db0, db1), n),
      };
    }
    // Hang up: the retriever leaves, the service hangs up the caller and removes the bridge.
    let destroyed = 0;
    const allGone = new Promise<void>((resolve, reject) => {
      if (retrievers.length === 0) return resolve();
      const timer = setTimeout(() => reject(new Error(`only ${destroyed}/${retrievers.length} bridges destroyed`)), 30_000);
      const off = this.obs.on({
        request: (r) => {
          if (r.template === 'DELETE /bridges/{connect}' && ++destroyed === retrievers.length) {
            clearTimeout(timer);
            off();
            resolve();
          }
        },
      });
    });
    for (const id of retrievers) this.fake.hangup(id);
    await allGone;
    if (measure && result) {
      await this.svc.waitDrained(60_000);
      const u2 = await this.svc.usage();
      const db2 = await this.db.snapshot();
      result.cpuMsPerHangup = (cpuMs(u2) - cpuMs(u1!)) / n;
      result.dbPerHangup = perOpDb(dbDelta(db1, db2), n);
    }
    await this.quiet(5);
    return result;
  }

  /** Open-loop parks at rising rates; each caller hangs up `holdMs` after being parked. */
  private async ramp(): Promise<Record<string, any>> {
    const o = this.opts;
    const steps: Array<Record<string, any>> = [];
    const pool = [...MAIN_SLOTS];
    let best: number | null = null;
    let firstOver: Record<string, any> | null = null;
    let saturatedAt: Record<string, any> | null = null;
    let overInARow = 0;
    for (const rate of o.rampRates) {
      const drainStart = performance.now();
      const left = await this.svc.waitDrained(60_000);
      if (steps.length) steps[steps.length - 1].dbDrainMs = round(performance.now() - drainStart, 0);
      if (left !== 0) this.log(`ramp: ${left} database writes still queued after 60 s`);
      await this.quiet(20);
      const starts: number[] = [];
      const n = Math.round((rate * o.rampStepMs) / 1000);
      const lat: number[] = [];
      let failed = 0;
      let noSlot = 0;
      const jobs: Array<Promise<void>> = [];
      const u0 = await this.svc.usage();
      const m0 = machineCpu();
      const elu0 = performance.eventLoopUtilization();
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const start = performance.now();
      const launch = () => {
        const slot = pool.shift();
        if (slot === undefined) {
          noSlot++;
          return;
        }
        const { calleeId, done } = this.park(slot, this.nextParker());
        jobs.push(
          done.then(
            async (r) => {
              lat.push(r.latency);
              starts.push(r.start);
              await sleep(o.holdMs);
              const off = this.lamp(slot, 'NOT_INUSE');
              this.fake.hangup(calleeId);
              await off;
              pool.push(slot);
            },
            () => {
              failed++;
              try {
                this.fake.hangup(calleeId);
              } catch {
                /* gone already */
              }
            },
          ),
        );
      };
      const { lateLaunches } = await paced(n, rate, launch);
      const sendMs = performance.now() - start;
      const parkedDone = Promise.allSettled(jobs);
      // Usage over the arrival window plus the hold (the service handles parks and hang-ups).
      await parkedDone;
      const wallMs = performance.now() - start;
      const u1 = await this.svc.usage();
      const m1 = machineCpu();
      const elu = performance.eventLoopUtilization(elu0);
      delay.disable();
      const pending = (await this.svc.readyz().catch(() => null))?.body?.checks?.pendingWrites ?? null;
      const s = summarize(lat);
      const step = {
        rate,
        offered: n,
        achievedRate: round(n / (sendMs / 1000), 1),
        parked: lat.length,
        failed: failed + noSlot,
        park: s,
        serviceCpuPct: round(((cpuMs(u1) - cpuMs(u0)) / wallMs) * 100, 1),
        machineBusyPct: m0 && m1 ? round(((m1.busy - m0.busy) / (m1.total - m0.total)) * 100, 1) : null,
        serviceEventLoopPct: round(eluDelta(u0, u1) * 100, 1),
        benchEventLoopPct: round(elu.utilization * 100, 1),
        benchLoopDelayP99Ms: round(delay.percentile(99) / 1e6, 2),
        lateLaunches,
        pendingWritesAfter: pending,
        slowParks: slowWindow(lat, starts, 50),
      };
      steps.push(step);
      this.log(
        `ramp ${rate}/s: p50 ${s.p50.toFixed(2)} p99 ${s.p99.toFixed(2)} ms, ${step.failed} failed, service CPU ${step.serviceCpuPct}% ` +
          `(loop ${step.serviceEventLoopPct}%), bench loop ${step.benchEventLoopPct}%, DB queue ${pending}`,
      );
      if (step.failed === 0 && s.p99 < 50) {
        if (firstOver === null) best = rate;
        overInARow = 0;
      } else {
        if (firstOver === null) firstOver = step;
        overInARow++;
      }
      // Saturation, or a step past the p99 limit, ends the ramp (keeps the run within ~2.5 min).
      if (step.failed > 0 || s.p50 >= 50) {
        saturatedAt = step;
        break;
      }
      if (overInARow >= 1) break;
    }
    const drainStart = performance.now();
    const drainedLeft = await this.svc.waitDrained(60_000);
    if (steps.length) steps[steps.length - 1].dbDrainMs = round(performance.now() - drainStart, 0);
    await this.quiet(50, 30_000);
    return { holdMs: o.holdMs, stepMs: o.rampStepMs, bestRate: best, firstOver, saturatedAt, steps, pendingWritesAfterDrain: drainedLeft };
  }

  /**
   * 1000 calls parked one after the other on places whose recall timer is short; the deadline
   * of each is its parkedAt (from the database) + the timer. Lateness = when the fake sees the
   * recall's first request (the check of the parker's endpoint) and its originate, minus the deadline.
   */
  private async recall(): Promise<Record<string, any>> {
    const o = this.opts;
    const slots = RECALL_SLOTS.slice(0, o.recallCalls);
    const bySlotParker = new Map(slots.map((s) => [`PJSIP/${RECALL_PARKER(s)}`, s]));
    const first = new Map<number, number>(); // slot -> t of GET endpoint
    const originates = new Map<string, number>(); // parked call id -> t of originate
    const records: RequestRecord[] = [];
    const off = this.obs.on({
      request: (r) => {
        records.push(r);
        if (r.method === 'GET' && r.path.startsWith('/endpoints/PJSIP/')) {
          const slot = bySlotParker.get(r.path.slice('/endpoints/'.length));
          if (slot !== undefined && !first.has(slot)) first.set(slot, r.t);
        } else if (r.method === 'POST' && r.path.startsWith('/channels/recall-')) {
          const id = /^\/channels\/recall-(.+)-\d+-\d+$/.exec(r.path)?.[1];
          if (id && !originates.has(id)) originates.set(id, r.t);
        }
      },
    });
    // Parked at a steady rate, so that the recalls come due at that same rate.
    const fillStart = performance.now();
    const calls = new Map<number, string>();
    const lat: number[] = [];
    const jobs: Array<Promise<void>> = [];
    await paced(slots.length, o.recallRate, (i) => {
      const slot = slots[i];
      const { calleeId, done } = this.park(slot, RECALL_PARKER(slot));
      calls.set(slot, calleeId);
      jobs.push(done.then((r) => void lat.push(r.latency)));
    });
    await Promise.all(jobs);
    const fillMs = performance.now() - fillStart;
    await this.svc.waitDrained(30_000);
    const db0 = await this.db.snapshot();
    const u0 = await this.svc.usage();
    if (first.size > 0) this.log(`recall: ${first.size} recalls began before the fill ended (fill took ${Math.round(fillMs)} ms)`);
    records.length = 0;
    // Every ring-back placed (or given up); wait at most timer + fill + 15 s.
    const deadline = performance.now() + o.recallTimerSec * 1000 + fillMs + 15_000;
    while (originates.size < slots.length && performance.now() < deadline) await sleep(100);
    await sleep(300);
    await this.svc.waitDrained(30_000);
    const db1 = await this.db.snapshot();
    const u1 = await this.svc.usage();
    off();

    // Deadlines as the service stored them.
    const prisma = createPrismaClient(this.db.url, { poolSize: 1 });
    const rows = await prisma.parkedCall.findMany({
      where: { place: { in: slots.map(String) } },
      select: { id: true, place: true, parkedAt: true, callerChannelId: true },
    });
    await prisma.$disconnect();
    const wall = (t: number) => performance.timeOrigin + t;
    const lateFirst: number[] = [];
    const lateOriginate: number[] = [];
    let missing = 0;
    for (const row of rows) {
      if (calls.get(Number(row.place)) !== row.callerChannelId) continue;
      const due = row.parkedAt.getTime() + o.recallTimerSec * 1000;
      const f = first.get(Number(row.place));
      const og = originates.get(row.id);
      if (f === undefined || og === undefined) {
        missing++;
        continue;
      }
      lateFirst.push(wall(f) - due);
      lateOriginate.push(wall(og) - due);
    }
    const answered = slots.filter((s) => s % 10 === 0).length;
    const reqs = perOp(records, originates.size || 1);
    const ringBack = (reqs.byTemplate['GET /endpoints/PJSIP/{resource}'] ?? 0) + (reqs.byTemplate['POST /channels/{recall}'] ?? 0);
    const result = {
      calls: slots.length,
      recallTimerSec: o.recallTimerSec,
      recallRate: o.recallRate,
      fillMs: round(fillMs, 0),
      park: summarize(lat),
      recalls: originates.size,
      missing,
      answeredShare: answered / slots.length,
      latenessFirstRequest: summarize(lateFirst),
      latenessOriginate: summarize(lateOriginate),
      requestsPerRecall: { total: reqs.total, ringBack, byTemplate: reqs.byTemplate },
      db: perOpDb(dbDelta(db0, db1), originates.size || 1),
      cpuMsPerRecall: (cpuMs(u1) - cpuMs(u0)) / (originates.size || 1),
    };
    this.log(
      `recall: ${originates.size}/${slots.length} ring-backs, lateness p50 ${percentile(lateOriginate, 50).toFixed(1)} p99 ${percentile(lateOriginate, 99).toFixed(1)} ms`,
    );
    return result;
  }
}

/** Calls launch(i) for i < n at `rate` per second, open loop (on schedule, whatever happened before). */
async function paced(n: number, rate: number, launch: (i: number) => void): Promise<{ lateLaunches: number }> {
  const interval = 1000 / rate;
  const start = performance.now();
  let launched = 0;
  let lateLaunches = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (launched < n && start + launched * interval <= now) {
        if (now - (start + launched * interval) > 5) lateLaunches++;
        launch(launched++);
      }
      if (launched >= n) return resolve();
      setTimeout(tick, Math.max(0, start + launched * interval - performance.now()));
    };
    tick();
  });
  return { lateLaunches };
}

/** Parks over `limitMs`: how many, and over how long a stretch of time they arrived. */
function slowWindow(lat: number[], starts: number[], limitMs: number): { count: number; spanMs: number | null } {
  const slow = starts.filter((_, i) => lat[i] > limitMs);
  if (slow.length === 0) return { count: 0, spanMs: null };
  return { count: slow.length, spanMs: round(Math.max(...slow) - Math.min(...slow), 0) };
}

function slowest(lat: number[], at: number[], origin: number, n = 5): Array<{ at: number; ms: number }> {
  return lat
    .map((ms, i) => ({ at: round(at[i] - origin, 0), ms: round(ms, 2) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
}

/** Busy and total jiffies of all CPUs (/proc/stat), or null without /proc. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function cpuMs(u: Usage): number {
  return (u.cpu.user + u.cpu.system) / 1000;
}

function eluDelta(a: Usage, b: Usage): number {
  const active = b.elu.active - a.elu.active;
  const idle = b.elu.idle - a.elu.idle;
  return active + idle > 0 ? active / (active + idle) : 0;
}

function perOpDb(delta: DbDelta | null, ops: number): Record<string, any> | null {
  if (!delta) return null;
  const breakdown: Record<string, number> = {};
  for (const [k, v] of Object.entries(delta.breakdown)) breakdown[k] = round(v / ops, 3);
  const statements: Record<string, number> = {};
  for (const [k, v] of Object.entries(delta.statements).sort((a, b) => b[1] - a[1])) statements[k] = round(v / ops, 3);
  return {
    roundTrips: round(delta.roundTrips / ops, 3),
    writes: round(delta.writes / ops, 3),
    reads: round(delta.reads / ops, 3),
    transactions: round(delta.transactions / ops, 3),
    breakdown,
    statements,
  };
}
