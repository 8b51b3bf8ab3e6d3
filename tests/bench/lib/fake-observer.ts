/**
 * Watches the fake Asterisk on a high-resolution clock. The fake logs requests and events with
 * Date.now() (whole milliseconds), too coarse for millisecond latencies, so the bench attaches
 * at run time (no change to the fake): it takes over `push` of the fake's request and event
 * logs, and `set` of its astdb map (device states), and timestamps each with performance.now().
 * The entries are not kept in the fake's logs (the bench keeps what it needs), so memory stays
 * flat over tens of thousands of calls.
 *
 * Times are those of the fake's own event loop: a request at its arrival (before the handler
 * runs), an event when written to the WebSocket, a lamp when its device state changes.
 */
import type { FakeAsterisk } from '../../support/fake-asterisk';

export interface RequestRecord {
  t: number;
  method: string;
  /** Path without /ari, URI-decoded. */
  path: string;
  query: Record<string, unknown>;
  /** Method and path with ids replaced: "POST /bridges/{holding}/addChannel". */
  template: string;
}

export interface EventRecord {
  t: number;
  type: string;
  event: Record<string, any>;
}

type Listener = {
  request?: (r: RequestRecord) => void;
  event?: (e: EventRecord) => void;
  lamp?: (name: string, state: string, t: number) => void;
};

export class FakeObserver {
  private readonly listeners = new Set<Listener>();
  /** Requests kept while recording (templates and times), for per-operation counts. */
  requests: RequestRecord[] = [];
  recording = false;
  /** Requests seen in all, by template. */
  readonly totals = new Map<string, number>();

  constructor(readonly fake: FakeAsterisk, private readonly slug: string) {
    const requests = fake.requests as unknown as { push: (...items: any[]) => number };
    requests.push = (...items: Array<{ method: string; path: string; query: Record<string, unknown> }>) => {
      const t = performance.now();
      for (const item of items) this.onRequest(t, item);
      return 0;
    };
    const events = fake.events as unknown as { push: (...items: any[]) => number };
    events.push = (...items: Array<{ event: Record<string, any> }>) => {
      const t = performance.now();
      for (const item of items) {
        const rec: EventRecord = { t, type: item.event.type, event: item.event };
        for (const l of this.listeners) l.event?.(rec);
      }
      return 0;
    };
    const astdb = fake.engine.astdb;
    const set = astdb.set.bind(astdb);
    astdb.set = (key: string, value: string) => {
      const t = performance.now();
      const r = set(key, value);
      for (const l of this.listeners) l.lamp?.(key, value, t);
      return r;
    };
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private onRequest(t: number, item: { method: string; path: string; query: Record<string, unknown> }): void {
    if (!item.path.startsWith('/ari/') || item.path === '/ari/events') return;
    let path = item.path.slice(4);
    try {
      path = decodeURIComponent(path);
    } catch {
      /* keep it raw */
    }
    const rec: RequestRecord = { t, method: item.method, path, query: item.query, template: this.template(item.method, path, item.query) };
    this.totals.set(rec.template, (this.totals.get(rec.template) ?? 0) + 1);
    if (this.recording) this.requests.push(rec);
    for (const l of this.listeners) l.request?.(rec);
  }

  template(method: string, path: string, query: Record<string, unknown>): string {
    const segs = path.split('/');
    const lot = `Stasis:park-${this.slug}`;
    const out = segs.map((seg, i) => {
      const parent = segs[i - 1];
      if (i <= 1) return seg;
      if (parent === 'bridges') return seg.startsWith('parking-') ? '{holding}' : seg.startsWith('connect-') ? '{connect}' : '{bridge}';
      if (parent === 'channels') return seg.startsWith('recall-') ? '{recall}' : '{channel}';
      if (parent === 'playbacks') return '{playback}';
      if (parent === 'deviceStates') return seg === lot ? '{lot lamp}' : seg.startsWith(`${lot}-group-`) ? '{group lamp}' : seg.startsWith(`${lot}-`) ? '{place lamp}' : '{lamp}';
      if (segs[1] === 'endpoints' && i === 3) return '{resource}';
      if (segs[1] === 'applications' && i === 2) return '{app}';
      return seg;
    });
    let t = `${method} /${out.slice(1).join('/')}`;
    if (segs[1] === 'deviceStates' && method === 'PUT' && typeof query.deviceState === 'string') t += ` ${query.deviceState}`;
    return t;
  }

  /** Starts a fresh per-operation request record. */
  startRecording(): void {
    this.requests = [];
    this.recording = true;
  }

  stopRecording(): RequestRecord[] {
    this.recording = false;
    const r = this.requests;
    this.requests = [];
    return r;
  }

  /** Resolves at the first request matching `match` (seen from now on). */
  nextRequest(match: (r: RequestRecord) => boolean, timeoutMs = 5000, what = 'request'): Promise<RequestRecord> {
    return this.waitFor<RequestRecord>((resolve) => ({ request: (r) => match(r) && resolve(r) }), timeoutMs, what);
  }

  nextEvent(match: (e: EventRecord) => boolean, timeoutMs = 5000, what = 'event'): Promise<EventRecord> {
    return this.waitFor<EventRecord>((resolve) => ({ event: (e) => match(e) && resolve(e) }), timeoutMs, what);
  }

  waitFor<T>(make: (resolve: (v: T) => void) => Listener, timeoutMs: number, what: string): Promise<T> {
    return handled(new Promise<T>((resolve, reject) => {
      let off: () => void = () => undefined;
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      off = this.on(
        make((v) => {
          clearTimeout(timer);
          off();
          resolve(v);
        }),
      );
    }));
  }
}

/**
 * Marks a promise as handled (a timeout may fire while the bench awaits something else first);
 * awaiting it still throws.
 */
export function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Counts requests by template, divided by `ops`. */
export function perOp(records: RequestRecord[], ops: number): { total: number; byTemplate: Record<string, number> } {
  const byTemplate: Record<string, number> = {};
  for (const r of records) byTemplate[r.template] = (byTemplate[r.template] ?? 0) + 1;
  for (const k of Object.keys(byTemplate)) byTemplate[k] = byTemplate[k] / ops;
  return { total: records.length / ops, byTemplate };
}
