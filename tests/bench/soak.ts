/**
 * `npm run soak`: parks and retrieves without pause against the fake Asterisk while faults
 * strike at random (seeded): the ARI WebSocket drops (once for longer than ari-client retries),
 * Asterisk restarts, the service is SIGKILLed and started again, the database is cut off.
 * Then a quiet period, and the check: no caller lost by the service, and Asterisk, the
 * service and the database agreeing on every parked call, lamp and history row.
 *
 * The service runs as the bench runs it (lib/service.ts: dist build, own process) on a fresh
 * database (lib/database.ts), through a TCP proxy (tests/support/tcp-proxy.ts) that can cut it.
 * Prints a table, writes bench-results/soak-<timestamp>.json; exits 1 on a loss or a mismatch.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderTenantDialplan } from '../../apps/parking/src/domain/dialplan';
import { PrismaConfigSource } from '../../apps/parking/src/store/config-store';
import { createPrismaClient } from '../../apps/parking/src/store/database';
import type { PrismaClient } from '../../generated/prisma/client';
import { FakeAsterisk } from '../support/fake-asterisk';
import { TcpProxy } from '../support/tcp-proxy';
import { openBenchDatabase, type BenchDatabase } from './lib/database';
import { ensureBuilt, startService, type ServiceProcess } from './lib/service';
import { checkConsistency, type CheckInput, type CheckResult } from './lib/soak-check';
import { FaultInjector, planFaults, prng, uniform, type FaultRecord } from './lib/soak-faults';
import { SoakTracker } from './lib/soak-tracker';
import { argValue, round, sleep, table } from './lib/stats';

const ROOT = path.resolve(__dirname, '../..');
const SLUG = 'acme';
const ADMIN_KEY = 'soak-admin-key-0123456789abcdef';
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));
const PLACES = range(7000, 7060);
const RECALL_PLACES = range(7060, 7070); // 8 s recall timer: ring-backs happen
const PARKERS = range(10000, 10020); // the last three never answer a ring-back
const NO_ANSWER = new Set(PARKERS.slice(-3));
const CALLEES = range(20000, 20300);
const RETRIEVERS = range(30000, 30020);
const PARK_DEADLINE_MS = 40_000; // a returned call rings its parker 30 s before Asterisk parks it
const RETRIEVE_DEADLINE_MS = 10_000;

const HELP = `usage: npm run soak [-- options]

  --minutes M     length of the load (default 5)
  --quick         about 60 s: 1 minute of load, faults every 3-7 s, no long WebSocket drop
  --seed N        PRNG seed (default: random, printed); the same seed plans the same faults and calls
  --rate R        parks per second (default 2)
  --overlap       start the next fault as soon as /readyz is 200, without waiting for the service's
                  queued database writes (a SIGKILL then may lose them: parks without history)
  --service-log   keep the service's log (LOG_LEVEL=info) in bench-results/soak-<timestamp>-service-<n>.log
  --out DIR       results folder (default bench-results)
`;

type Outcomes = Record<string, number>;
const bump = (o: Outcomes, k: string) => void (o[k] = (o[k] ?? 0) + 1);

/** The phones: callers parked by blind transfer, retrievals by dialling the place, conversations ended. */
class Load {
  launching = true;
  fatesOn = true;
  asteriskDown = false;
  readonly parks = { all: {} as Outcomes, duringFaults: {} as Outcomes };
  readonly retrieves = { all: {} as Outcomes, duringFaults: {} as Outcomes };
  readonly actions: Outcomes = {};
  private nextParkAt = 0;
  /** Place -> the caller sent there (until it is gone or talking). */
  private readonly places = new Map<string, string>();
  private readonly pendingParks = new Map<string, number>();
  private fates: Array<{ at: number; id: string; kind: 'retrieve' | 'abandon'; tries: number }> = [];
  private readonly pendingRetrieves = new Map<string, { target: string; at: number; disturbed: string | null; tries: number }>();
  private readonly talkUntil = new Map<string, number>();

  constructor(
    private readonly fake: FakeAsterisk,
    private readonly tracker: SoakTracker,
    private readonly rand: () => number,
    private readonly rate: number,
    private readonly fault: () => string | null,
  ) {}

  private idle(numbers: string[]): string | undefined {
    const free = numbers.filter((n) => (this.fake.engine.phones.get(n)?.channels.size ?? 1) === 0);
    return free.length ? free[Math.floor(this.rand() * free.length)] : undefined;
  }

  private count(kind: 'parks' | 'retrieves', outcome: string, disturbed: string | null): void {
    bump(this[kind].all, outcome);
    if (disturbed) bump(this[kind].duringFaults, outcome);
  }

  tick(): void {
    const now = Date.now();
    if (this.asteriskDown) return;
    if (this.launching && now >= this.nextParkAt) {
      this.nextParkAt = now - Math.log(1 - this.rand()) * (1000 / this.rate);
      this.park(now);
    }
    this.resolveParks(now);
    if (this.fatesOn) this.runFates(now);
    this.resolveRetrieves(now);
    this.endConversations(now);
    for (const [place, id] of this.places) {
      const w = this.tracker.where(id);
      if (w === 'gone' || w === 'connected') this.places.delete(place);
    }
  }

  private park(now: number): void {
    const all = [...PLACES, ...RECALL_PLACES].filter((p) => !this.places.has(p));
    const place = all[Math.floor(this.rand() * all.length)];
    const parker = this.idle(PARKERS);
    const callee = this.idle(CALLEES);
    if (!place || !parker || !callee) return bump(this.actions, 'park skipped (no free place or phone)');
    const call = this.fake.call(parker, callee);
    const p = this.tracker.add(call.calleeChannelId, place, parker);
    this.fake.blindTransfer(call.callerChannelId, place);
    this.places.set(place, p.id);
    this.pendingParks.set(p.id, now + PARK_DEADLINE_MS);
    bump(this.parks.all, 'attempted');
    if (p.disturbed) bump(this.parks.duringFaults, 'attempted');
    const recallPlace = RECALL_PLACES.includes(place);
    this.fates.push({
      at: now + (recallPlace ? uniform(this.rand, 5000, 25_000) : uniform(this.rand, 1000, 15_000)),
      id: p.id,
      kind: this.rand() < 0.7 ? 'retrieve' : 'abandon',
      tries: 0,
    });
  }

  /** Where each new park ended up: the service's lot, Asterisk's own parking, back to its parker. */
  private resolveParks(now: number): void {
    for (const [id, deadline] of this.pendingParks) {
      const p = this.tracker.parkees.get(id)!;
      const w = this.tracker.where(id);
      let outcome: string | null = null;
      if (w === 'holding') outcome = 'parked by the service';
      else if (w === 'fallback') outcome = 'parked by Asterisk (fallback)';
      else if (this.tracker.alive(`return-${id}`) || (w === 'connected' && p.partner?.startsWith('return-'))) outcome = 'returned to the parker';
      else if (w === 'gone') outcome = `gone before parked (${p.end})`;
      else if (now > deadline) outcome = 'not parked in 40 s';
      if (outcome) {
        this.count('parks', outcome, p.disturbed);
        this.pendingParks.delete(id);
      }
    }
  }

  private runFates(now: number): void {
    const due = this.fates.filter((f) => f.at <= now);
    this.fates = this.fates.filter((f) => f.at > now);
    for (const f of due) {
      const p = this.tracker.parkees.get(f.id)!;
      const w = this.tracker.where(f.id);
      if (w === 'holding') {
        if (f.kind === 'abandon') {
          this.tracker.hangup(f.id);
          bump(this.actions, 'parked caller hung up');
        } else this.retrieve(p.place, f.id, f.tries);
      } else if (w === 'fallback') {
        // Asterisk's lot is reachable by dialling a place only while the service is away.
        if (f.kind === 'retrieve' && this.fault()) this.retrieve(p.place, f.id, f.tries);
        else {
          this.tracker.hangup(f.id);
          bump(this.actions, 'caller in Asterisk\'s lot hung up');
        }
      } else if ((w === 'limbo' || w === 'bridged-alone') && f.tries < 10) {
        this.fates.push({ ...f, at: now + 2000, tries: f.tries + 1 });
      }
    }
  }

  private retrieve(place: string, target: string, tries: number): void {
    const retriever = this.idle(RETRIEVERS);
    if (!retriever) return void this.fates.push({ at: Date.now() + 1000, id: target, kind: 'retrieve', tries });
    const id = this.fake.dial(retriever, place);
    const disturbed = this.fault();
    this.pendingRetrieves.set(id, { target, at: Date.now(), disturbed, tries });
    this.count('retrieves', 'attempted', disturbed);
  }

  private resolveRetrieves(now: number): void {
    for (const [id, r] of this.pendingRetrieves) {
      const got = this.tracker.partnerOf.get(id);
      let outcome: string | null = null;
      if (got) outcome = got === r.target ? 'connected' : 'connected to another caller';
      else if (!this.tracker.alive(id)) outcome = 'refused or failed';
      else if (now - r.at > RETRIEVE_DEADLINE_MS) {
        this.tracker.hangup(id);
        outcome = 'no answer in 10 s (hung up)';
      }
      if (!outcome) continue;
      this.pendingRetrieves.delete(id);
      this.count('retrieves', outcome, r.disturbed);
      // Not taken: try again a little later (or give up and hang up after three tries).
      if (!outcome.startsWith('connected') && this.fatesOn) {
        this.fates.push({ at: now + 2000, id: r.target, kind: r.tries >= 3 ? 'abandon' : 'retrieve', tries: r.tries + 1 });
      }
    }
  }

  /** A conversation (retriever, answered ring-back, parker) lasts 0.5-3 s; mostly the other side hangs up. */
  private endConversations(now: number): void {
    for (const p of this.tracker.parkees.values()) {
      if (p.end || !p.partner || this.tracker.where(p.id) !== 'connected') continue;
      const until = this.talkUntil.get(p.id) ?? now + uniform(this.rand, 500, 3000);
      this.talkUntil.set(p.id, until);
      if (now < until) continue;
      this.talkUntil.delete(p.id);
      this.hangUpConversation(p.id, p.partner, this.rand() < 0.8);
    }
  }

  private hangUpConversation(id: string, partner: string, partnerFirst: boolean): void {
    const kind = partner.startsWith('recall-') ? 'answered ring-back' : partner.startsWith('return-') ? 'returned call' : 'retrieved call';
    bump(this.actions, `${kind} ended by ${partnerFirst ? 'the other side' : 'the caller'}`);
    this.tracker.hangup(partnerFirst ? partner : id);
  }

  /** Ends every conversation and retrieval under way (the quiet period). */
  endAll(): void {
    for (const p of this.tracker.parkees.values()) {
      if (!p.end && p.partner && this.tracker.where(p.id) === 'connected') this.hangUpConversation(p.id, p.partner, true);
    }
    for (const id of this.pendingRetrieves.keys()) if (this.tracker.alive(id)) this.tracker.hangup(id);
  }

  /** The callers still waiting hang up (after the first check). */
  hangUpEveryone(): number {
    let n = 0;
    for (const p of this.tracker.parkees.values()) if (!p.end && this.tracker.alive(p.id) && this.tracker.hangup(p.id)) n++;
    return n;
  }
}

async function seedTenant(prisma: PrismaClient): Promise<string> {
  const tenant = await prisma.tenant.create({
    data: { slug: SLUG, name: 'ACME', recallTimerSec: 45, recallRingSec: 6, recallRetrySec: 5, maxParkTimeSec: 7200, slotLimit: 1000 },
  });
  await prisma.extension.createMany({
    data: [...PARKERS, ...CALLEES, ...RETRIEVERS].map((number) => ({ tenantId: tenant.id, number, name: `Phone ${number}`, endpoint: `PJSIP/${number}` })),
  });
  await prisma.parkSlot.createMany({
    data: [...PLACES.map((number) => ({ tenantId: tenant.id, number })), ...RECALL_PLACES.map((number) => ({ tenantId: tenant.id, number, recallTimerSec: 8 }))],
  });
  return tenant.id;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const quick = args.includes('--quick');
  const minutes = Number(argValue(args, '--minutes') ?? (quick ? 1 : 5));
  const seed = Number(argValue(args, '--seed') ?? Math.floor(Math.random() * 1e6));
  const rate = Number(argValue(args, '--rate') ?? 2);
  if (!(minutes > 0) || !Number.isInteger(seed) || !(rate > 0)) throw new Error('--minutes and --rate must be > 0, --seed an integer');
  const outDir = path.resolve(ROOT, argValue(args, '--out') ?? 'bench-results');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const serviceLog = args.includes('--service-log');
  const log = (m: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  const runMs = minutes * 60_000;
  log(`seed ${seed}, ${minutes} min of load at ${rate} parks/s`);

  // Set-up: database (behind the proxy), tenant, fake Asterisk with the project's dialplan, service.
  ensureBuilt(log);
  mkdirSync(outDir, { recursive: true });
  let db: BenchDatabase | null = null;
  let fake: FakeAsterisk | null = null;
  let proxy: TcpProxy | null = null;
  let svc: ServiceProcess | null = null;
  let prisma: PrismaClient | null = null;
  const tearDown = async () => {
    await svc?.stop().catch(() => undefined);
    await proxy?.stop().catch(() => undefined);
    await fake?.stop().catch(() => undefined);
    await prisma?.$disconnect().catch(() => undefined);
    await db?.close().catch(() => undefined);
  };
  process.once('SIGINT', () => {
    log('interrupted: stopping the service, the fake and the database');
    void tearDown().finally(() => process.exit(130));
  });
  try {
    db = await openBenchDatabase(log);
    prisma = createPrismaClient(db.url, { poolSize: 2 });
    const tenantId = await seedTenant(prisma);
    fake = await FakeAsterisk.start({
      dialplanFiles: [path.join(ROOT, 'asterisk-conf/extensions.conf.sample')],
      dialplan: ['[from-soak]', `include => parking-${SLUG}`, 'exten => _[123]XXXX,1,Dial(PJSIP/${EXTEN},30)', ' same => n,Hangup()', ''].join('\n'),
      logLimit: 1000,
    });
    fake.loadDialplan(renderTenantDialplan(await new PrismaConfigSource(prisma).allTenants(), 'parking'));
    for (const n of [...PARKERS, ...CALLEES, ...RETRIEVERS]) fake.addPhone({ number: n, context: 'from-soak', behavior: NO_ANSWER.has(n) ? 'noanswer' : 'answer' });
    const dbUrl = new URL(db.url);
    proxy = new TcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
    await proxy.start();
    dbUrl.port = String(proxy.port);
    const serviceEnv = { DATABASE_URL: dbUrl.toString(), ARI_URL: fake.url, LOG_LEVEL: serviceLog ? 'info' : 'warn', ADMIN_API_KEY: ADMIN_KEY };
    let incarnation = 0;
    const launch = async () => {
      incarnation++;
      const logFile = serviceLog ? path.join(outDir, `soak-${stamp}-service-${incarnation}.log`) : undefined;
      svc = await startService(serviceEnv, log, { logFile });
    };
    await launch();
    await svc!.waitReady(60_000);
    log(`service ready (pid ${svc!.pid})`);

    // The run: load and faults side by side until the deadline.
    const startedAt = Date.now();
    const faultRand = prng(seed);
    const plan = planFaults(faultRand, runMs, { quick, longDrop: !quick && minutes >= 4 });
    let injector: FaultInjector | null = null;
    const tracker = new SoakTracker(fake, () => injector?.current ?? null);
    const load = new Load(fake, tracker, prng(seed + 1), rate, () => injector?.current ?? null);
    injector = new FaultInjector(
      {
        fake,
        proxy,
        setAsteriskDown: (down) => (load.asteriskDown = down),
        killService: () => svc!.kill(),
        startService: launch,
        waitReady: (ms) => svc!.waitReady(ms),
        waitDrained: (ms) => svc!.waitDrained(ms),
        overlap: args.includes('--overlap'),
        log,
      },
      plan,
      startedAt,
    );
    const deadline = startedAt + runMs;
    const faults = injector.run(deadline);
    let lastReport = startedAt;
    while (Date.now() < deadline) {
      load.tick();
      if (Date.now() - lastReport >= 30_000) {
        lastReport = Date.now();
        const live = [...tracker.parkees.values()].filter((p) => !p.end).length;
        log(`t=${Math.round((lastReport - startedAt) / 1000)} s: ${load.parks.all.attempted ?? 0} parks, ${load.retrieves.all.attempted ?? 0} retrieves, ${live} callers up`);
      }
      await sleep(50);
    }
    const runSec = (Date.now() - startedAt) / 1000;

    // Quiet period: no new calls or faults; conversations end; the service reconciles and drains.
    load.launching = false;
    injector.stop();
    log('load over: waiting for the last fault to end');
    while (!(await Promise.race([faults.then(() => true), sleep(50).then(() => false)]))) load.tick();
    fake.restoreWebSocket();
    proxy.restore();
    load.fatesOn = false;
    const quietUntil = Date.now() + 5000;
    while (Date.now() < quietUntil) {
      load.tick();
      await sleep(50);
    }
    load.endAll();
    for (let i = 0; i < 40; i++) {
      load.tick();
      await sleep(50);
    }
    await svc!.waitReady(120_000);
    const pendingWrites = await svc!.waitDrained(60_000);
    await sleep(2000);
    const input = (): CheckInput => ({ fake: fake!, tracker, prisma: prisma!, serviceUrl: svc!.url, adminKey: ADMIN_KEY, tenantId, slug: SLUG, places: [...PLACES, ...RECALL_PLACES] });
    const settled = async (): Promise<CheckResult> => {
      let r = await checkConsistency(input());
      // Give a ring-back answered at the last moment, or a write in flight, a chance to settle.
      for (let i = 0; i < 15 && r.mismatches.length > 0; i++) {
        await sleep(2000);
        await svc!.waitDrained(30_000);
        r = await checkConsistency(input());
      }
      return r;
    };
    log('checking with the remaining calls parked');
    const parkedCheck = await settled();
    // Then every caller still waiting hangs up: every park must close, every lamp go out.
    const hungUp = load.hangUpEveryone();
    await sleep(3000);
    await svc!.waitDrained(60_000);
    log(`checking after the ${hungUp} remaining callers hung up`);
    const drainedCheck = await settled();

    // Figures.
    const parkees = [...tracker.parkees.values()];
    const ends: Outcomes = {};
    for (const p of parkees) bump(ends, p.end ?? 'still up');
    const lost = parkees.filter((p) => p.end === 'lost').map((p) => ({ id: p.id, place: p.place, disturbedAtPark: p.disturbed, ...p.lostHow }));
    const lostToRestart = ends['asterisk-restart'] ?? 0;
    const faultsDone: FaultRecord[] = injector.done;
    const byKind: Record<string, { count: number; totalMs: number; recoveryMs: number[] }> = {};
    for (const f of faultsDone) {
      const k = (byKind[f.kind] ??= { count: 0, totalMs: 0, recoveryMs: [] });
      k.count++;
      k.totalMs += f.durationMs;
      if (f.recoveryMs !== null) k.recoveryMs.push(f.recoveryMs);
    }
    const notRecovered = faultsDone.filter((f) => f.recoveryMs === null).length;
    const mismatches = [...parkedCheck.mismatches, ...drainedCheck.mismatches];
    const failed = lost.length > 0 || mismatches.length > 0 || notRecovered > 0;

    const section = (title: string, o: { all: Outcomes; duringFaults: Outcomes }) => [
      [title, String(o.all.attempted ?? 0), String(o.duringFaults.attempted ?? 0)],
      ...Object.keys(o.all)
        .filter((k) => k !== 'attempted')
        .sort()
        .map((k) => [`  ${k}`, String(o.all[k]), String(o.duringFaults[k] ?? 0)]),
    ];
    const text = [
      `Soak: ${round(runSec, 0)} s of load, seed ${seed}, ${rate} parks/s; ${faultsDone.length} faults; ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      '',
      table([['calls', 'all', 'during faults'], ...section('parks attempted', load.parks), ...section('retrieves attempted', load.retrieves)]),
      '',
      table([['phone actions', 'count'], ...Object.entries(load.actions).sort().map(([k, v]) => [k, String(v)])]),
      '',
      table([
        ['how the parked callers ended', 'count'],
        ...Object.entries(ends).sort().map(([k, v]) => [k, String(v)]),
      ]),
      '',
      table([
        ['fault', 'count', 'total s', 'recovery p50 ms', 'max ms'],
        ...Object.entries(byKind).map(([k, v]) => {
          const r = [...v.recoveryMs].sort((a, b) => a - b);
          return [k, String(v.count), String(round(v.totalMs / 1000, 1)), r.length ? String(r[Math.floor((r.length - 1) / 2)]) : 'n/a', r.length ? String(r[r.length - 1]) : 'n/a'];
        }),
      ]),
      '',
      table([
        ['result', 'value'],
        ['calls lost (by the service)', String(lost.length)],
        ['callers lost to Asterisk restart', String(lostToRestart)],
        ['state mismatches, calls parked', `${parkedCheck.mismatches.length} (${parkedCheck.parked.asterisk} / ${parkedCheck.parked.service} / ${parkedCheck.parked.database} parked: Asterisk / service / database)`],
        ['state mismatches, all hung up', `${drainedCheck.mismatches.length} (${drainedCheck.parked.asterisk} / ${drainedCheck.parked.service} / ${drainedCheck.parked.database})`],
        ['faults not recovered in 120 s', String(notRecovered)],
        ['writes still queued at the check', String(pendingWrites)],
      ]),
      ...(lost.length ? ['', 'calls lost:', ...lost.slice(0, 20).map((l) => `  ${JSON.stringify(l)}`)] : []),
      ...(mismatches.length ? ['', 'mismatches:', ...mismatches.slice(0, 40).map((l) => `  ${l}`)] : []),
      '',
      failed ? 'SOAK FAILED' : 'soak passed: no call lost, no mismatch',
    ].join('\n');

    const json = {
      kind: 'soak',
      environment: { when: new Date(startedAt).toISOString(), node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg(), database: db.embedded ? 'embedded' : 'DATABASE_URL server' },
      options: { seed, minutes, quick, rate, overlap: args.includes('--overlap'), runSec: round(runSec, 1) },
      passed: !failed,
      parks: load.parks,
      retrieves: load.retrieves,
      actions: load.actions,
      ends,
      lost,
      lostToAsteriskRestart: lostToRestart,
      faults: { planned: plan, done: faultsDone, byKind },
      checks: { parked: parkedCheck, drained: drainedCheck },
      pendingWritesAtCheck: pendingWrites,
      serviceIncarnations: incarnation,
    };
    const file = path.join(outDir, `soak-${stamp}.json`);
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    process.stdout.write(`${text}\n\nresults: ${path.relative(ROOT, file)}\n`);
    return failed ? 1 : 0;
  } finally {
    await tearDown();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
