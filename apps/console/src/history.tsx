import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, ApiError, type Session } from './api';
import { clock, METHODS } from './board-state';
import { serverNow } from './server-time';

interface Entry {
  id: string;
  place: string;
  callerName: string;
  callerNumber: string;
  parkerExtension: string | null;
  method: string;
  state: string;
  parkedAt: string;
  endedAt: string | null;
  outcome: string | null;
  retrievedBy: string | null;
  waitedSec: number;
}
interface Timeline {
  events: Array<{ id: string; type: string; at: string; details: Record<string, unknown> }>;
}

const OUTCOMES = ['RETRIEVED', 'RECALL_ANSWERED', 'HUNT_GROUP', 'ABANDONED', 'TIMED_OUT', 'HUNG_UP', 'LOST'];
const WAIT_BUCKETS: Array<[string, number]> = [
  ['<30s', 30],
  ['30s–1m', 60],
  ['1–2m', 120],
  ['2–5m', 300],
  ['5m+', Infinity],
];

/** Today's parks: filters, each call's timeline, and two small charts (people would rather look than read). */
export function History({ session }: { session: Session }) {
  const api = useMemo(() => new Api(session.key), [session.key]);
  const [filters, setFilters] = useState({ place: '', parker: '', outcome: '' });
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<{ id: string; timeline: Timeline | null } | null>(null);

  const load = async () => {
    const midnight = new Date(serverNow());
    midnight.setHours(0, 0, 0, 0);
    const q = new URLSearchParams({ from: midnight.toISOString() });
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    try {
      setEntries(await api.all<Entry>(`/tenants/${session.tenantId}/history?${q}`));
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  useEffect(() => void load(), [filters.place, filters.parker, filters.outcome]);

  const toggle = async (id: string) => {
    if (open?.id === id) return setOpen(null);
    setOpen({ id, timeline: null });
    try {
      setOpen({ id, timeline: await api.get<Timeline>(`/tenants/${session.tenantId}/history/${id}`) });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  const field = (name: keyof typeof filters, label: string) => (
    <label>
      {label} <input value={filters[name]} onChange={(e) => setFilters({ ...filters, [name]: e.currentTarget.value.trim() })} />
    </label>
  );

  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">Today's parks</h2>
      <form class="filters" onSubmit={(e) => (e.preventDefault(), void load())} aria-label="Filter">
        {field('place', 'Place')}
        {field('parker', 'Parker')}
        <label>
          Outcome{' '}
          <select value={filters.outcome} onChange={(e) => setFilters({ ...filters, outcome: e.currentTarget.value })}>
            <option value="">any</option>
            {OUTCOMES.map((o) => (
              <option value={o}>{o.toLowerCase().replace(/_/g, ' ')}</option>
            ))}
          </select>
        </label>
        <button type="submit">Refresh</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries && (
        <>
          <div class="charts">
            <BarChart title="Parks per hour" bars={perHour(entries)} />
            <BarChart title="Wait before the call ended" bars={waitDistribution(entries)} />
          </div>
          <table>
            <caption>{entries.length} parks</caption>
            <thead>
              <tr>
                <th scope="col">Parked</th>
                <th scope="col">Place</th>
                <th scope="col">Caller</th>
                <th scope="col">Parker</th>
                <th scope="col">How</th>
                <th scope="col">Waited</th>
                <th scope="col">Outcome</th>
                <th scope="col">Timeline</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <>
                  <tr data-id={e.id}>
                    <td>{new Date(e.parkedAt).toLocaleTimeString()}</td>
                    <td>{e.place}</td>
                    <td>
                      {e.callerName} {e.callerNumber}
                    </td>
                    <td>{e.parkerExtension ?? '—'}</td>
                    <td>{METHODS[e.method] ?? e.method}</td>
                    <td>{clock(e.waitedSec)}</td>
                    <td class="outcome">{e.outcome ? `${e.outcome.toLowerCase().replace(/_/g, ' ')}${e.retrievedBy ? ` by ${e.retrievedBy}` : ''}` : 'parked'}</td>
                    <td>
                      <button type="button" aria-expanded={open?.id === e.id} onClick={() => void toggle(e.id)}>
                        {open?.id === e.id ? 'Hide' : 'Show'}
                      </button>
                    </td>
                  </tr>
                  {open?.id === e.id && (
                    <tr class="timeline">
                      <td colSpan={8}>
                        {open.timeline ? (
                          <ol>
                            {open.timeline.events.map((t) => (
                              <li>
                                {new Date(t.at).toLocaleTimeString()} {t.type.replace(/_/g, ' ')}{' '}
                                <span class="meta">{Object.entries(t.details).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' · ')}</span>
                              </li>
                            ))}
                          </ol>
                        ) : (
                          'Loading…'
                        )}
                      </td>
                    </tr>
                  )}
                </>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function perHour(entries: Entry[]): Array<[string, number]> {
  const counts = new Array<number>(24).fill(0);
  for (const e of entries) counts[new Date(e.parkedAt).getHours()]++;
  return counts.map((n, h) => [String(h), n]);
}

function waitDistribution(entries: Entry[]): Array<[string, number]> {
  const counts = WAIT_BUCKETS.map(() => 0);
  for (const e of entries.filter((x) => x.outcome)) counts[WAIT_BUCKETS.findIndex(([, max]) => e.waitedSec < max)]++;
  return WAIT_BUCKETS.map(([label], i) => [label, counts[i]]);
}

/** A plain SVG bar chart, with the numbers in its accessible name. */
function BarChart({ title, bars }: { title: string; bars: Array<[string, number]> }) {
  const max = Math.max(1, ...bars.map(([, n]) => n));
  const w = 300;
  const h = 120;
  const bw = w / bars.length;
  const label = `${title}: ${bars.filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h + 16}`} role="img" aria-label={label}>
        {bars.map(([k, n], i) => {
          const bh = (n / max) * h;
          return (
            <g>
              <rect x={i * bw + 1} y={h - bh} width={bw - 2} height={bh}>
                <title>{`${k}: ${n}`}</title>
              </rect>
              {(bars.length <= 12 || i % 3 === 0) && (
                <text x={i * bw + bw / 2} y={h + 12} text-anchor="middle">
                  {k}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
