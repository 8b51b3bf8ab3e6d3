/** The printed table and the target checks of the fake-Asterisk benchmark. */
import { fmt, table } from './lib/stats';

export interface Target {
  name: string;
  limit: string;
  value: string;
  met: boolean | null;
}

const kb = (bytes: number) => bytes / 1024;

function perOpTotal(level: any, op: 'park' | 'retrieve' | 'hangup'): number {
  return level?.requests?.[op]?.total ?? Number.NaN;
}

/** Requests per op, with the lot-lamp flip shown apart when it happens. */
function requestsCell(level: any, op: 'park' | 'retrieve' | 'hangup'): string {
  const total = perOpTotal(level, op);
  if (!Number.isFinite(total)) return 'n/a';
  return fmt(total, Number.isInteger(total) ? 0 : 2);
}

/** The requests the busiest level spends beyond the cheapest one, e.g. " (1 parked: + lot lamp, + bridge music)". */
function extras(levels: Record<string, any>, op: 'park' | 'retrieve'): string {
  const keys = Object.keys(levels);
  if (keys.length < 2) return '';
  const by = (k: string) => levels[k].requests[op].byTemplate as Record<string, number>;
  const total = (k: string) => levels[k].requests[op].total as number;
  const hi = keys.reduce((a, b) => (total(b) > total(a) ? b : a));
  const lo = keys.reduce((a, b) => (total(b) < total(a) ? b : a));
  const more = Object.keys(by(hi)).filter((t) => (by(hi)[t] ?? 0) - (by(lo)[t] ?? 0) > 0.5);
  if (more.length === 0) return '';
  const name = (t: string) => (t.includes('{lot lamp}') ? 'lot lamp' : t.includes('/moh') ? 'bridge music restart' : t);
  return ` (${hi} parked: + ${more.map(name).join(', + ')})`;
}

export function targets(r: Record<string, any>): Target[] {
  const levels = r.levels ?? {};
  const top = levels['1000'];
  const parkReqs = Object.values(levels).map((l: any) => perOpTotal(l, 'park'));
  const retrieveReqs = Object.values(levels).map((l: any) => perOpTotal(l, 'retrieve'));
  const maxPark = Math.max(...parkReqs);
  const maxRetrieve = Math.max(...retrieveReqs);
  const out: Target[] = [
    {
      name: 'ARI requests per park',
      limit: '<= 5',
      value: `${fmt(Math.min(...parkReqs), 0)}-${fmt(maxPark, 0)}${extras(levels, 'park')}`,
      met: maxPark <= 5,
    },
    {
      name: 'ARI requests per retrieve',
      limit: '<= 4',
      value: `${fmt(Math.min(...retrieveReqs), 0)}-${fmt(maxRetrieve, 0)}${extras(levels, 'retrieve')}`,
      met: maxRetrieve <= 4,
    },
  ];
  const writes = r.fill?.db?.writes;
  out.push({
    name: 'database writes per park',
    limit: '<= 2',
    value: writes === undefined ? 'n/a (no pg_stat_statements)' : `${fmt(writes, 2)} (of ${fmt(r.fill.db.roundTrips, 2)} round trips)`,
    met: writes === undefined ? null : writes <= 2,
  });
  out.push({
    name: 'park p99 at 1000 parked (fake)',
    limit: '< 10 ms',
    value: top ? `${fmt(top.park.p99)} ms` : 'n/a',
    met: top ? top.park.p99 < 10 : null,
  });
  const late = r.recall?.latenessOriginate;
  out.push({
    name: `recall lateness p99 at ${r.recall?.calls ?? 1000} parked`,
    limit: '< 100 ms',
    value: late ? `${fmt(late.p99, 1)} ms (ring-back originate; recalls due at ${r.recall.recallRate}/s)` : 'n/a',
    met: late ? late.p99 < 100 : null,
  });
  const heap = r.fill ? kb(r.fill.heapBytesPerCall) : Number.NaN;
  const rss = r.fill ? kb(r.fill.rssBytesPerCall) : Number.NaN;
  out.push({
    name: 'service memory per parked call',
    limit: '< 20 KB',
    value: `heap ${fmt(heap, 1)} KB (RSS ${fmt(rss, 1)} KB: within GC noise at this scale)`,
    met: Number.isFinite(heap) ? heap < 20 : null,
  });
  return out;
}

export function renderFakeReport(r: Record<string, any>, env: Record<string, any>): string {
  const lines: string[] = [];
  const levels = r.levels ?? {};
  const keys = Object.keys(levels).sort((a, b) => Number(a) - Number(b));
  lines.push(
    `Call parking benchmark against the fake Asterisk (${env.when})`,
    `node ${env.node}, ${env.cpus} CPU(s) ${env.cpuModel}; PostgreSQL: ${env.database}; service = dist/ build in its own process`,
    `Latencies in ms, measured at the fake on its clock; ${r.levels?.[keys[0]]?.park?.n ?? '?'} sequential park -> retrieve -> hang-up cycles per column.`,
    '',
  );
  const lat = (s: any) => (s ? `${fmt(s.p50)} / ${fmt(s.p95)} / ${fmt(s.p99)}` : 'n/a');
  lines.push(
    table([
      ['calls parked', ...keys],
      ['park p50 / p95 / p99', ...keys.map((k) => lat(levels[k].park))],
      ['retrieve p50 / p95 / p99', ...keys.map((k) => lat(levels[k].retrieve))],
      ['ARI requests per park', ...keys.map((k) => requestsCell(levels[k], 'park'))],
      ['ARI requests per retrieve', ...keys.map((k) => requestsCell(levels[k], 'retrieve'))],
      ['ARI requests per hang-up after retrieve', ...keys.map((k) => requestsCell(levels[k], 'hangup'))],
      ['music on for the parked caller', ...keys.map((k) => (levels[k].mohMissing === 0 ? 'always' : `${levels[k].mohMissing} without`))],
    ]),
  );

  const fill = r.fill;
  const rb = r.retrieveBulk;
  const rc = r.recall;
  const dbv = (d: any, k: string) => (d ? fmt(d[k], 2) : 'n/a');
  lines.push('', 'Per operation, service side', '');
  lines.push(
    table([
      ['', 'park', 'retrieve', 'recall'],
      [
        'measured over',
        fill ? `${fill.parks} parks (0->${fill.parks})` : 'n/a',
        rb ? `${rb.retrieves} retrieves` : 'n/a',
        rc ? `${rc.recalls} ring-backs` : 'n/a',
      ],
      [
        'ARI requests',
        levels['1000'] ? requestsCell(levels['1000'], 'park') : 'n/a',
        levels['1000'] ? requestsCell(levels['1000'], 'retrieve') : 'n/a',
        rc ? `${fmt(rc.requestsPerRecall.ringBack, 0)} (+${fmt((rc.requestsPerRecall.total - rc.requestsPerRecall.ringBack) / rc.answeredShare, 1)} answered)` : 'n/a',
      ],
      ['DB round trips (statements)', dbv(fill?.db, 'roundTrips'), dbv(rb?.db, 'roundTrips'), dbv(rc?.db, 'roundTrips')],
      ['  of which writes', dbv(fill?.db, 'writes'), dbv(rb?.db, 'writes'), dbv(rc?.db, 'writes')],
      ['  of which reads', dbv(fill?.db, 'reads'), dbv(rb?.db, 'reads'), dbv(rc?.db, 'reads')],
      ['  transactions (BEGIN)', dbv(fill?.db, 'transactions'), dbv(rb?.db, 'transactions'), dbv(rc?.db, 'transactions')],
      ['service CPU ms', fill ? fmt(fill.cpuMsPerPark, 2) : 'n/a', rb ? fmt(rb.cpuMsPerRetrieve, 2) : 'n/a', rc ? fmt(rc.cpuMsPerRecall, 2) : 'n/a'],
    ]),
  );
  if (rb) lines.push(`hang-up after a retrieve: ${fmt(rb.cpuMsPerHangup, 2)} ms CPU, ${fmt(rb.dbPerHangup?.roundTrips ?? Number.NaN, 2)} DB round trips`);

  if (fill) {
    lines.push(
      '',
      `Memory, 0 -> ${fill.parks} parked (after a full GC): heap +${fmt(kb(fill.heapBytesPerCall), 2)} KB per call, ` +
        `RSS ${fill.rssBytesPerCall >= 0 ? '+' : ''}${fmt(kb(fill.rssBytesPerCall), 2)} KB per call ` +
        `(RSS ${fmt(fill.memoryAt0.rss / 2 ** 20, 1)} -> ${fmt(fill.memoryAtTop.rss / 2 ** 20, 1)} MB, heap ${fmt(fill.memoryAt0.heapUsed / 2 ** 20, 1)} -> ${fmt(fill.memoryAtTop.heapUsed / 2 ** 20, 1)} MB)`,
    );
  }
  if (rc) {
    lines.push(
      '',
      `Recall lateness, ${rc.calls} parked, timer ${rc.recallTimerSec} s, recalls due at ${rc.recallRate}/s (${rc.recalls}/${rc.calls} ring-backs placed${rc.missing ? `, ${rc.missing} missing` : ''}):`,
      `  first request of the recall (endpoint check) p50 ${fmt(rc.latenessFirstRequest.p50, 1)}  p99 ${fmt(rc.latenessFirstRequest.p99, 1)}  max ${fmt(rc.latenessFirstRequest.max, 1)} ms`,
      `  ring-back originate                         p50 ${fmt(rc.latenessOriginate.p50, 1)}  p99 ${fmt(rc.latenessOriginate.p99, 1)}  max ${fmt(rc.latenessOriginate.max, 1)} ms`,
    );
  }
  const ramp = r.ramp;
  if (ramp) {
    lines.push(
      '',
      `Sustained park rate (open loop, ${ramp.stepMs / 1000} s per step, each caller hangs up ${ramp.holdMs / 1000} s after being parked): ` +
        (ramp.bestRate ? `${ramp.bestRate} parks/s with p99 < 50 ms` : 'below the first step') +
        (ramp.firstOver ? `; at ${ramp.firstOver.rate}/s p99 ${fmt(ramp.firstOver.park.p99, 1)} ms${ramp.firstOver.failed ? `, ${ramp.firstOver.failed} failed` : ''}` : '') +
        (ramp.saturatedAt ? `; saturated at ${ramp.saturatedAt.rate}/s (p50 ${fmt(ramp.saturatedAt.park.p50, 1)} ms, ${ramp.saturatedAt.failed} failed)` : ''),
      '',
      table([
        ['parks/s', 'p50', 'p99', 'max', '> 50 ms (arrived within)', 'failed', 'service CPU %', 'machine CPU %', 'fake+bench loop %', 'DB queue after (drained in)'],
        ...ramp.steps.map((s: any) => [
          String(s.rate),
          fmt(s.park.p50),
          fmt(s.park.p99),
          fmt(s.park.max),
          s.slowParks.count ? `${s.slowParks.count} (${s.slowParks.spanMs} ms)` : '0',
          String(s.failed),
          fmt(s.serviceCpuPct, 0),
          fmt(s.machineBusyPct, 0),
          fmt(s.benchEventLoopPct, 0),
          `${s.pendingWritesAfter ?? 'n/a'}${s.dbDrainMs !== undefined && s.pendingWritesAfter ? ` (${fmt(s.dbDrainMs / 1000, 1)} s)` : ''}`,
        ]),
      ]),
    );
  }
  if (r.startup) {
    lines.push(
      '',
      `Start-up: ready ${r.startup.readyMs} ms after launch; reconciliation sent ${r.startup.requests} ARI requests ` +
        `(${r.startup.lamps} lamps set one at a time), done ${r.startup.reconciledMs} ms after launch.`,
    );
  }
  if (r.warmup) lines.push(`First park also creates the holding bridge and starts its music: ${Object.keys(r.warmup.firstCycle).filter((k) => k.startsWith('POST /bridges/{holding}') && !k.endsWith('addChannel')).join(', ')}.`);
  if (r.configLoadMs) {
    lines.push(
      `Tenant configuration load (${r.setup.places} places, ${r.setup.extensions} extensions): p50 ${fmt(r.configLoadMs.p50, 1)} ms; the service reloads it in the background when its 10 s cache has expired (calls meanwhile use the last one).`,
    );
  }

  lines.push('', 'Targets', '');
  lines.push(table([['', 'target', 'reached', ''], ...targets(r).map((t) => [t.name, t.limit, t.value, t.met === null ? '?' : t.met ? 'met' : 'NOT MET'])]));
  return lines.join('\n');
}
