/**
 * Opt-in: the same parks against a real Asterisk, with sipp as the callers, three ways in one
 * run and under the same load (tests/bench/README.md says what Asterisk needs):
 *
 *   Park()   Asterisk's own res_parking (lot "bench")
 *   minimal  tests/bench/minimal-app.ts: answer, holding bridge, channel music, one lamp
 *   service  this project's service (built, own process, own database), ARI_APP=parking-bench
 *
 * For each: sipp places `calls` calls at `rate`/s (each to its own place), every call stays
 * parked until all are parked plus a plateau, then hangs up. Measured:
 *   - INVITE -> 200 at the caller (sipp's message log, microseconds);
 *   - dialplan application start -> parked, from Asterisk's own event timestamps (ms) seen by
 *     a passive ARI application (subscribeAll): the channel entering the holding bridge, and
 *     for the ARI applications its lamp (DeviceStateChanged INUSE);
 *   - Asterisk's CPU (/proc/<pid>/stat) while the calls arrive (per park) and during the
 *     plateau (per parked call: mostly music on hold), and the service's own CPU.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createPrismaClient } from '../../apps/parking/src/store/database';
import { openBenchDatabase, type BenchDatabase } from './lib/database';
import { ensureBuilt, startService, type ServiceProcess, type Usage } from './lib/service';
import { startSipResponder, type SipResponder } from './lib/sip-responder';
import { fmt, round, sleep, summarize, table, type Summary } from './lib/stats';
import { startMinimalApp, type MinimalApp } from './minimal-app';

const SYSTEMS = ['park', 'minimal', 'service'] as const;
type System = (typeof SYSTEMS)[number];
const PREFIX: Record<System, string> = { service: '51', minimal: '52', park: '53' };
const LABEL: Record<System, string> = { park: 'Park()', minimal: 'minimal ARI app', service: 'parking service' };
const SERVICE_APP = 'parking-bench';
const TENANT = 'bench';
const WARM_UP_CALLS = 20;

interface Seen {
  exten: string;
  appStart?: number;
  app?: string;
  entered?: number;
}

interface Options {
  ariUrl: string;
  sip: string;
  username: string;
  password: string;
  calls: number;
  rate: number;
  plateauSec: number;
  systems: System[];
  sipp: string;
  localIp: string;
  asteriskPid: number | null;
  log: (m: string) => void;
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function asteriskPid(args: string[], ariUrl: string): number | null {
  const given = arg(args, '--asterisk-pid');
  if (given) return Number(given);
  if (!/^(127\.|localhost|\[::1\])/.test(new URL(ariUrl).hostname)) return null;
  for (const f of ['/opt/asterisk/var/run/asterisk/asterisk.pid', '/var/run/asterisk/asterisk.pid', '/run/asterisk/asterisk.pid']) {
    try {
      const pid = Number(readFileSync(f, 'utf8').trim());
      if (pid > 0 && existsSync(`/proc/${pid}/stat`)) return pid;
    } catch {
      /* next */
    }
  }
  return null;
}

function procCpuMs(pid: number | null): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Asterisk event timestamp "2024-05-01T10:20:30.123+0000" -> ms since the epoch. */
function astTime(ts: string): number {
  return Date.parse(ts.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
}

class Ari {
  private readonly auth: string;
  constructor(readonly url: string, user: string, password: string) {
    this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  async call(method: string, p: string): Promise<any> {
    const res = await fetch(`${this.url}/ari${p}`, { method, headers: { Authorization: this.auth }, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
}

/** A passive ARI application that sees every event (subscribeAll) with Asterisk's timestamps. */
class Observer {
  readonly channels = new Map<string, Seen>();
  readonly lamps = new Map<string, number>(); // device name -> first INUSE time
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let e: any;
      try {
        e = JSON.parse(String(data));
      } catch {
        return;
      }
      const t = e.timestamp ? astTime(e.timestamp) : Date.now();
      if (e.type === 'ChannelDialplan' && e.channel) {
        const app = e.dialplan_app as string;
        if (app !== 'Stasis' && app !== 'Park') return;
        const c: Seen = this.channels.get(e.channel.id) ?? { exten: String(e.channel.dialplan?.exten ?? '') };
        if (c.appStart === undefined) {
          c.appStart = t;
          c.app = app;
        }
        this.channels.set(e.channel.id, c);
      } else if (e.type === 'ChannelEnteredBridge' && e.channel && e.bridge?.technology === 'holding_bridge') {
        const c = this.channels.get(e.channel.id);
        if (c && c.entered === undefined) c.entered = t;
      } else if (e.type === 'DeviceStateChanged' && e.device_state?.state === 'INUSE') {
        const name = e.device_state.name as string;
        if (!this.lamps.has(name)) this.lamps.set(name, t);
      }
    });
  }
  static async connect(o: Options): Promise<Observer> {
    const ws = new WebSocket(
      `${o.ariUrl.replace(/^http/, 'ws')}/ari/events?app=bench-observer-${process.pid}&subscribeAll=true&api_key=${encodeURIComponent(`${o.username}:${o.password}`)}`,
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('ARI events WebSocket did not open within 10 s')), 10_000);
      ws.once('open', () => (clearTimeout(timer), resolve()));
      ws.once('error', (err) => (clearTimeout(timer), reject(err)));
    });
    return new Observer(ws);
  }
  clear(): void {
    this.channels.clear();
    this.lamps.clear();
  }
  close(): void {
    this.ws.close();
  }
}

/** INVITE -> 200 per call from sipp's message log (timestamps in microseconds). */
function inviteTo200(logFile: string): number[] {
  const text = readFileSync(logFile, 'utf8');
  const parts = text.split(/^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\s*$/m);
  const invites = new Map<string, number>();
  const out: number[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const t = Date.parse(parts[i].replace(' ', 'T')) + Number(`0.${parts[i].slice(-3)}`); // ms + µs
    const body = parts[i + 1];
    const sent = /message sent/.test(body);
    const callId = /^Call-ID:\s*(\S+)/im.exec(body)?.[1];
    const cseq = /^CSeq:\s*(.+)$/im.exec(body)?.[1]?.trim();
    const first = body.split('\n').find((l) => /^(SIP\/2\.0 \d{3}|[A-Z]+ sip:)/.test(l.trim()))?.trim() ?? '';
    if (!callId) continue;
    if (sent && first.startsWith('INVITE') && !invites.has(callId)) invites.set(callId, t);
    if (!sent && first.startsWith('SIP/2.0 200') && cseq === '1 INVITE' && invites.has(callId)) {
      out.push(t - invites.get(callId)!);
      invites.delete(callId);
    }
  }
  return out;
}

function burstWav(file: string): void {
  // 200 ms of 8 kHz mu-law silence: a phone's first RTP packets.
  const n = 1600;
  const header = Buffer.alloc(46);
  header.write('RIFF', 0);
  header.writeUInt32LE(38 + n, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(18, 16);
  header.writeUInt16LE(7, 20); // mu-law
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.writeUInt16LE(0, 36);
  header.write('data', 38);
  header.writeUInt32LE(n, 42);
  writeFileSync(file, Buffer.concat([header, Buffer.alloc(n, 0xff)]));
}

export async function runRealBench(a: { ariUrl: string; sip?: string; args: string[]; log: (m: string) => void }) {
  const args = a.args;
  const ariUrl = a.ariUrl.replace(/\/+$/, '');
  const o: Options = {
    ariUrl,
    sip: a.sip ?? '127.0.0.1:5060',
    username: arg(args, '--ari-user') ?? 'parking',
    password: arg(args, '--ari-password') ?? 'parking',
    calls: Number(arg(args, '--calls') ?? 500),
    rate: Number(arg(args, '--rate') ?? 50),
    plateauSec: Number(arg(args, '--plateau') ?? 5),
    systems: (arg(args, '--systems')?.split(',') as System[] | undefined) ?? [...SYSTEMS],
    sipp: arg(args, '--sipp') ?? 'sipp',
    localIp: arg(args, '--local-ip') ?? '127.0.0.1',
    asteriskPid: asteriskPid(args, ariUrl),
    log: a.log,
  };
  for (const s of o.systems) if (!SYSTEMS.includes(s)) throw new Error(`--systems: unknown ${s} (park, minimal, service)`);
  if (o.calls > 1900) throw new Error('--calls: at most 1900 (places 0000-1999 with the warm-up, res_parking_bench.conf 30000-31999)');
  const ari = new Ari(ariUrl, o.username, o.password);
  const info = await ari.call('GET', '/asterisk/info').catch((err) => {
    throw new Error(`Asterisk's ARI is not reachable at ${ariUrl} (${(err as Error).message}); see tests/bench/README.md`);
  });
  const leftovers = ((await ari.call('GET', '/endpoints/PJSIP/bench').catch(() => null)) as any)?.channel_ids;
  if (leftovers === undefined) throw new Error('Asterisk has no PJSIP endpoint "bench": install tests/bench/asterisk/*.conf (tests/bench/README.md)');
  if (leftovers.length) throw new Error(`endpoint "bench" still has ${leftovers.length} channel(s): another bench running?`);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'parking-bench-sipp-'));
  copyFileSync(path.join(__dirname, 'sipp/park-call.xml'), path.join(dir, 'park-call.xml'));
  burstWav(path.join(dir, 'burst.wav'));
  const observer = await Observer.connect(o);
  const results: Record<string, any> = {};
  let db: BenchDatabase | null = null;
  // The parker's phone: the service tells it by SIP MESSAGE where the call went.
  let phone: SipResponder | null = null;
  o.log(`real Asterisk ${info.system?.version ?? '?'} at ${ariUrl}; ${o.calls} calls at ${o.rate}/s per system; Asterisk pid ${o.asteriskPid ?? 'unknown (no CPU figures)'}`);
  try {
    if (o.systems.includes('service')) {
      ensureBuilt(o.log);
      phone = await startSipResponder({ sip: o.sip, user: 'bench', localIp: o.localIp });
    }
    for (const system of o.systems) {
      let minimal: MinimalApp | null = null;
      let svc: ServiceProcess | null = null;
      try {
        if (system === 'minimal') minimal = await startMinimalApp({ ariUrl, username: o.username, password: o.password });
        if (system === 'service') {
          db = await openBenchDatabase(o.log);
          await seedBenchTenant(db.url, o.calls);
          svc = await startService(
            { DATABASE_URL: db.url, ARI_URL: ariUrl, ARI_USERNAME: o.username, ARI_PASSWORD: o.password, ARI_APP: SERVICE_APP, LOG_LEVEL: 'warn' },
            o.log,
          );
          await svc.waitReady(60_000);
          await waitLampsReconciled(ari, o.calls + 10 + WARM_UP_CALLS + 1);
        }
        results[system] = await runLoad(o, system, dir, observer, ari, svc);
        if (minimal) results[system].appParked = minimal.stats.parked;
        if (minimal) results[system].appFailed = minimal.stats.failed;
      } finally {
        await minimal?.stop();
        if (svc) {
          await svc.stop();
          // ARI bridges and astdb device states outlive the app: leave Asterisk as we found it.
          await ari.call('DELETE', `/bridges/parking-${TENANT}-default`).catch(() => undefined);
          const states = (await ari.call('GET', '/deviceStates').catch(() => [])) as Array<{ name: string }>;
          for (const s of states) if (s.name.startsWith(`Stasis:park-${TENANT}`)) await ari.call('DELETE', `/deviceStates/${encodeURIComponent(s.name)}`).catch(() => undefined);
        }
        if (db) {
          await db.close();
          db = null;
        }
      }
    }
  } finally {
    if (phone) {
      results.parkerPhone = { messagesAnswered: phone.received.get('MESSAGE') ?? 0 };
      await phone.stop();
    }
    observer.close();
    if (!args.includes('--keep-logs')) rmSync(dir, { recursive: true, force: true });
  }
  const json = {
    kind: 'real-asterisk',
    asterisk: info.system?.version,
    options: { ...o, log: undefined },
    results,
    when: new Date().toISOString(),
    loadAverage: os.loadavg(),
  };
  return { json, text: renderReal(o, results) };
}

async function seedBenchTenant(url: string, calls: number): Promise<void> {
  const prisma = createPrismaClient(url, { poolSize: 1 });
  try {
    const tenant = await prisma.tenant.create({ data: { slug: TENANT, name: 'Bench', recallTimerSec: 3600, maxParkTimeSec: 7200, slotLimit: 10_000 } });
    await prisma.extension.create({ data: { tenantId: tenant.id, number: '900', name: 'Bench', endpoint: 'PJSIP/bench' } });
    await prisma.parkSlot.createMany({ data: Array.from({ length: calls + 10 + WARM_UP_CALLS }, (_, i) => ({ tenantId: tenant.id, number: String(i).padStart(4, '0') })) });
  } finally {
    await prisma.$disconnect();
  }
}

/** At start the service sets every lamp of the tenant (one request each): wait for all of them. */
async function waitLampsReconciled(ari: Ari, atLeast: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const states = (await ari.call('GET', '/deviceStates')) as Array<{ name: string }>;
    if (states.filter((s) => s.name.startsWith(`Stasis:park-${TENANT}`)).length >= atLeast) return;
    await sleep(200);
  }
  throw new Error('the service did not set its lamps within 120 s');
}

/** A few calls at a low rate on other places (JIT, connection pools, first bridge), not measured. */
async function warmUp(o: Options, system: System, dir: string, ari: Ari): Promise<void> {
  const places = Array.from({ length: WARM_UP_CALLS }, (_, i) => `${PREFIX[system]}${String(o.calls + 10 + i).padStart(4, '0')}`);
  writeFileSync(path.join(dir, `${system}-warm.csv`), ['SEQUENTIAL', ...places].join('\n') + '\n');
  const port = 43000 + Math.floor(Math.random() * 1000) * 2;
  const sipp = spawn(
    o.sipp,
    [o.sip, '-sf', 'park-call.xml', '-inf', `${system}-warm.csv`, '-key', 'user', 'bench', '-i', o.localIp, '-p', String(port), '-mp', String(port + 4000), '-r', '10', '-m', String(WARM_UP_CALLS), '-d', '500', '-nostdin', '-timeout', '30s'],
    { cwd: dir, stdio: 'ignore' },
  );
  await new Promise((resolve) => sipp.on('exit', resolve));
  for (let i = 0; i < 50; i++) {
    if (((await ari.call('GET', '/endpoints/PJSIP/bench')) as any).channel_ids.length === 0) break;
    await sleep(100);
  }
}

async function runLoad(o: Options, system: System, dir: string, observer: Observer, ari: Ari, svc: ServiceProcess | null): Promise<Record<string, any>> {
  await warmUp(o, system, dir, ari);
  const arrivalMs = (o.calls / o.rate) * 1000;
  const holdMs = Math.round(arrivalMs + 1000 + o.plateauSec * 1000 + 500);
  writeFileSync(path.join(dir, `${system}.csv`), ['SEQUENTIAL', ...Array.from({ length: o.calls }, (_, i) => `${PREFIX[system]}${String(i).padStart(4, '0')}`)].join('\n') + '\n');
  const msgLog = path.join(dir, `${system}.msg.log`);
  const port = 41000 + Math.floor(Math.random() * 2000) * 2;
  const sippArgs = [
    o.sip,
    ...['-sf', 'park-call.xml', '-inf', `${system}.csv`, '-key', 'user', 'bench', '-i', o.localIp, '-p', String(port), '-mp', String(port + 4000)],
    ...['-r', String(o.rate), '-m', String(o.calls), '-l', String(o.calls + 50), '-d', String(holdMs)],
    ...['-trace_msg', '-message_file', msgLog, '-trace_err', '-error_file', path.join(dir, `${system}.err.log`), '-nostdin'],
    ...['-timeout', `${Math.ceil(holdMs / 1000) + 60}s`],
  ];
  observer.clear();
  o.log(`${LABEL[system]}: ${o.calls} calls at ${o.rate}/s, each parked ${(holdMs / 1000).toFixed(1)} s`);
  const h0 = svc ? await parkHistogram(svc.url) : null;
  const cpu0 = procCpuMs(o.asteriskPid);
  const s0 = svc ? await svc.usage() : null;
  const b0 = process.cpuUsage();
  const started = Date.now();
  const sipp = spawn(o.sipp, sippArgs, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let sippOut = '';
  sipp.stdout.on('data', (d) => (sippOut = (sippOut + d).slice(-20_000)));
  sipp.stderr.on('data', (d) => (sippOut = (sippOut + d).slice(-20_000)));
  const exited = new Promise<number>((resolve) => sipp.on('exit', (code) => resolve(code ?? -1)));

  await sleep(arrivalMs + 200);
  const cpu1 = procCpuMs(o.asteriskPid);
  const s1 = svc ? await svc.usage() : null;
  const b1 = process.cpuUsage(b0);
  await sleep(800);
  const plateauStart = Date.now();
  const cpu2 = procCpuMs(o.asteriskPid);
  const parkedIds: string[] = ((await ari.call('GET', '/endpoints/PJSIP/bench')) as any).channel_ids;
  const parkedAtPlateau = parkedIds.length;
  // Music check: RTP packets sent to a few parked callers during the plateau.
  const sampled = parkedIds.filter((_, i) => i % Math.max(1, Math.floor(parkedIds.length / 5)) === 0).slice(0, 5);
  const tx = async () => Promise.all(sampled.map((id) => ari.call('GET', `/channels/${id}/rtp_statistics`).then((r: any) => Number(r.txcount), () => NaN)));
  const tx0 = await tx();
  await sleep(o.plateauSec * 1000);
  const cpu3 = procCpuMs(o.asteriskPid);
  const plateauMs = Date.now() - plateauStart;
  const tx1 = await tx();
  const pps = tx1.map((v, i) => ((v - tx0[i]) * 1000) / plateauMs).filter((v) => Number.isFinite(v));
  const s3 = svc ? await svc.usage() : null;
  const code = await exited;
  // Every caller gone.
  for (let i = 0; i < 100; i++) {
    if (((await ari.call('GET', '/endpoints/PJSIP/bench')) as any).channel_ids.length === 0) break;
    await sleep(100);
  }
  const h1 = svc ? await parkHistogram(svc.url) : null;
  const stats = /Successful call\s*\|\s*\d+\s*\|\s*(\d+)[\s\S]*?Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(sippOut);

  const i200 = existsSync(msgLog) ? inviteTo200(msgLog) : [];
  const appToParked: number[] = [];
  const appToBridge: number[] = [];
  const appToLamp: number[] = [];
  let notParked = 0;
  for (const c of observer.channels.values()) {
    if (!c.exten.startsWith(PREFIX[system]) || c.appStart === undefined) continue;
    const slot = c.exten.slice(2);
    const lamp = system === 'service' ? `Stasis:park-${TENANT}-${slot}` : system === 'minimal' ? `Stasis:bench-min-${slot}` : null;
    const lampT = lamp ? observer.lamps.get(lamp) : undefined;
    if (c.entered === undefined || (lamp && lampT === undefined)) {
      notParked++;
      continue;
    }
    appToParked.push(Math.max(c.entered, lampT ?? 0) - c.appStart);
    appToBridge.push(c.entered - c.appStart);
    if (lampT !== undefined) appToLamp.push(lampT - c.appStart);
  }
  const arrivalCpu = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
  const plateauCpu = cpu2 !== null && cpu3 !== null ? cpu3 - cpu2 : null;
  const perParkedPct = plateauCpu !== null && parkedAtPlateau ? (plateauCpu / plateauMs / parkedAtPlateau) * 100 : null;
  // While the calls arrive, on average half of them are parked and play music: take that out.
  const mohDuringArrival = perParkedPct !== null ? (perParkedPct / 100) * (o.calls / 2) * (arrivalMs + 200) : null;
  const r = {
    system,
    sippExit: code,
    successfulCalls: stats ? Number(stats[1]) : null,
    failedCalls: stats ? Number(stats[2]) : null,
    inviteTo200: summarize(i200),
    inviteTo200LastTenth: summarize(i200.slice(Math.floor(i200.length * 0.9))),
    appToParked: summarize(appToParked),
    appToBridge: summarize(appToBridge),
    appToLamp: summarize(appToLamp),
    notParked,
    parkedAtPlateau,
    /** RTP packets per second sent to sampled parked callers (music: ~50). */
    musicPacketsPerSec: pps.length ? round(Math.min(...pps), 1) : null,
    asteriskCpuMsPerPark: arrivalCpu !== null ? arrivalCpu / o.calls : null,
    asteriskCpuMsPerParkNet: arrivalCpu !== null && mohDuringArrival !== null ? (arrivalCpu - mohDuringArrival) / o.calls : null,
    asteriskCpuPctPerParkedCall: perParkedPct,
    serviceCpuMsPerPark: s0 && s1 ? cpuMs(s1, s0) / o.calls : null,
    /** The service's own parking_park_duration_seconds over the run: share of parks at or under each bound (ms). */
    serviceHistogram: h0 && h1 ? histogramShares(h0, h1) : null,
    /** This process while the calls arrive: the observer always, the minimal app when it runs. */
    benchCpuMsPerPark: (b1.user + b1.system) / 1000 / o.calls,
    serviceCpuPctPlateau: s1 && s3 ? (cpuMs(s3, s1) / (Date.now() - started)) * 100 : null,
    wallSec: round((Date.now() - started) / 1000, 1),
  };
  o.log(
    `${LABEL[system]}: INVITE->200 p50 ${fmt(r.inviteTo200.p50)} p99 ${fmt(r.inviteTo200.p99)} ms; app start -> parked p50 ${fmt(r.appToParked.p50, 0)} ms; ` +
      `${r.failedCalls ?? '?'} failed; Asterisk ${fmt(r.asteriskCpuMsPerPark ?? NaN)} ms CPU/park, ${fmt(r.asteriskCpuPctPerParkedCall ?? NaN, 3)}% per parked call`,
  );
  if (code !== 0 && r.failedCalls) o.log(`sipp: ${sippOut.split('\n').slice(-15).join('\n')}`);
  return r;
}

/** Cumulative buckets of the service's park latency histogram (/metrics), le in ms -> count; null without /metrics. */
async function parkHistogram(url: string): Promise<Map<number, number> | null> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const buckets = new Map<number, number>();
    for (const m of text.matchAll(/^parking_park_duration_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)) {
      buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000, Number(m[2]));
    }
    return buckets.size ? buckets : null;
  } catch {
    return null;
  }
}

function histogramShares(a: Map<number, number>, b: Map<number, number>): Record<string, number> {
  const total = (b.get(Infinity) ?? 0) - (a.get(Infinity) ?? 0);
  const out: Record<string, number> = { parks: total };
  for (const [le, n] of b) if (le !== Infinity && total > 0) out[`<=${le}ms`] = round((n - (a.get(le) ?? 0)) / total, 3);
  return out;
}

function cpuMs(b: Usage, a: Usage): number {
  return (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1000;
}

function renderReal(o: Options, results: Record<string, any>): string {
  const systems = o.systems.filter((s) => results[s]);
  const base = results.park;
  const ratio = (v: number | null | undefined, b: number | null | undefined) => (v != null && b ? `${fmt(v / b, 2)}x` : 'n/a');
  const lat = (s: Summary) => `${fmt(s.p50)} / ${fmt(s.p95)} / ${fmt(s.p99)}`;
  const rows = [
    ['', ...systems.map((s) => LABEL[s])],
    ['INVITE -> 200 p50 / p95 / p99 (ms)', ...systems.map((s) => lat(results[s].inviteTo200))],
    ['  last tenth of the calls, p50 / p99', ...systems.map((s) => `${fmt(results[s].inviteTo200LastTenth.p50)} / ${fmt(results[s].inviteTo200LastTenth.p99)}`)],
    ['  p50 vs Park()', ...systems.map((s) => ratio(results[s].inviteTo200.p50, base?.inviteTo200.p50))],
    ['app start -> parked p50 / p95 / p99 (ms)', ...systems.map((s) => lat(results[s].appToParked))],
    ['  -> in the holding bridge', ...systems.map((s) => lat(results[s].appToBridge))],
    ['  -> lamp INUSE', ...systems.map((s) => (results[s].appToLamp.n ? lat(results[s].appToLamp) : '-'))],
    ['Asterisk CPU ms per park (music taken out)', ...systems.map((s) => fmt(results[s].asteriskCpuMsPerParkNet ?? NaN, 3))],
    ['  vs Park()', ...systems.map((s) => ratio(results[s].asteriskCpuMsPerParkNet, base?.asteriskCpuMsPerParkNet))],
    ['Asterisk CPU ms per park (raw)', ...systems.map((s) => fmt(results[s].asteriskCpuMsPerPark ?? NaN, 3))],
    ['Asterisk CPU % of a core per parked call', ...systems.map((s) => fmt(results[s].asteriskCpuPctPerParkedCall ?? NaN, 3))],
    [
      "service's own histogram: parked within 10 / 50 / 250 ms",
      ...systems.map((s) => {
        const h = results[s].serviceHistogram;
        return h ? `${fmt(h['<=10ms'] * 100, 0)}% / ${fmt(h['<=50ms'] * 100, 0)}% / ${fmt(h['<=250ms'] * 100, 0)}%` : '-';
      }),
    ],
    ['service CPU ms per park', ...systems.map((s) => (results[s].serviceCpuMsPerPark == null ? '-' : fmt(results[s].serviceCpuMsPerPark, 2)))],
    ['bench process CPU ms per park (observer + minimal app)', ...systems.map((s) => fmt(results[s].benchCpuMsPerPark, 2))],
    ['calls ok / failed / not parked', ...systems.map((s) => `${results[s].successfulCalls ?? '?'} / ${results[s].failedCalls ?? '?'} / ${results[s].notParked}`)],
    ['parked at once (plateau)', ...systems.map((s) => String(results[s].parkedAtPlateau))],
    ['music: RTP packets/s to a parked caller (min of 5)', ...systems.map((s) => fmt(results[s].musicPacketsPerSec ?? NaN, 1))],
  ];
  return [
    `Parking on a real Asterisk (${o.ariUrl}, SIP ${o.sip}): ${o.calls} calls at ${o.rate}/s per system, sipp callers, same run; ` +
      `${os.cpus().length} CPU(s), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    'INVITE -> 200 from sipp\'s message log; app start (ChannelDialplan Stasis/Park) -> in the holding bridge (and, for the ARI apps, the lamp INUSE)',
    'from Asterisk\'s event timestamps (ms); Asterisk CPU from /proc while calls arrive (per park) and while all are parked (per parked call).',
    '',
    table(rows),
  ].join('\n');
}
