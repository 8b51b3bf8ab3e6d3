/**
 * The control API over HTTP, under /_fake/ (no authentication), for a process that does not
 * hold the FakeAsterisk object (a benchmark, the service run as a child process).
 * Bodies are JSON; answers are JSON. See README.md for the route list.
 */
import { FakeUsageError } from './errors';
import type { FakeAsterisk } from './fake-asterisk';
import type { QueryList } from './route-types';
import type { PhoneBehavior } from './state';

type Body = Record<string, unknown>;
type Handler = (fake: FakeAsterisk, m: RegExpExecArray, body: Body, query: Map<string, string>) => unknown | Promise<unknown>;

const s = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const n = (v: unknown, d: number): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : d);

const ROUTES: Array<[string, RegExp, Handler]> = [
  ['POST', /^\/phones$/, (f, _m, b) =>
    f.addPhone({ number: s(b.number), context: s(b.context), behavior: (b.behavior as PhoneBehavior) ?? 'answer', name: b.name ? s(b.name) : undefined })],
  ['GET', /^\/phones\/([^/]+)$/, (f, m) => {
    const p = f.phone(decodeURIComponent(m[1]));
    return { number: p.number, context: p.context, behavior: p.behavior, online: p.online, invites: p.invites, messages: p.messages, refers: p.refers, dtmfReceived: p.dtmfReceived, calls: p.calls };
  }],
  ['PUT', /^\/phones\/([^/]+)\/behavior$/, (f, m, b) => {
    f.setPhoneBehavior(decodeURIComponent(m[1]), s(b.behavior) as PhoneBehavior);
    return { ok: true };
  }],
  ['POST', /^\/dial$/, (f, _m, b) => ({ channelId: f.dial(s(b.from), s(b.exten)) })],
  ['POST', /^\/call$/, (f, _m, b) => f.call(s(b.from), s(b.to))],
  ['POST', /^\/blind-transfer$/, (f, _m, b) => f.blindTransfer(s(b.channelId), s(b.exten))],
  ['POST', /^\/attended-transfer$/, (f, _m, b) => f.attendedTransfer(s(b.heldChannelId), s(b.consultChannelId))],
  ['POST', /^\/channels\/([^/]+)\/dtmf$/, (f, m, b) => {
    f.sendDtmf(decodeURIComponent(m[1]), s(b.digits), n(b.durationMs, 100));
    return { ok: true };
  }],
  ['POST', /^\/channels\/([^/]+)\/hangup$/, (f, m, b) => {
    f.hangup(decodeURIComponent(m[1]), n(b.cause, 16));
    return { ok: true };
  }],
  ['POST', /^\/channels\/([^/]+)\/answer$/, (f, m) => {
    f.answer(decodeURIComponent(m[1]));
    return { ok: true };
  }],
  ['POST', /^\/channels\/([^/]+)\/reject$/, (f, m, b) => {
    f.reject(decodeURIComponent(m[1]), n(b.cause, 21), b.sipStatus === undefined ? undefined : n(b.sipStatus, 603));
    return { ok: true };
  }],
  ['POST', /^\/channels\/([^/]+)\/expire-ringing$/, (f, m) => {
    f.expireRinging(decodeURIComponent(m[1]));
    return { ok: true };
  }],
  ['POST', /^\/channels\/([^/]+)\/hold$/, (f, m, b) => {
    f.holdCall(decodeURIComponent(m[1]), b.musicClass ? s(b.musicClass) : undefined);
    return { ok: true };
  }],
  ['POST', /^\/channels\/([^/]+)\/unhold$/, (f, m) => {
    f.unholdCall(decodeURIComponent(m[1]));
    return { ok: true };
  }],
  ['GET', /^\/channels$/, (f) => f.channels()],
  ['GET', /^\/channels\/([^/]+)$/, (f, m) => {
    const ch = f.channel(decodeURIComponent(m[1]));
    if (!ch) throw new FakeUsageError('no such channel', 404);
    return { ...ch, bridge: f.bridgeOf(ch.id), bridgedWith: f.bridgedWith(ch.id), moh: f.mohOf(ch.id), stasis: f.stasisOf(ch.id) };
  }],
  ['GET', /^\/bridges$/, (f) => f.bridges()],
  ['GET', /^\/playbacks$/, (f) => f.playbacks()],
  ['POST', /^\/playbacks\/([^/]+)\/finish$/, (f, m) => {
    f.finishPlayback(decodeURIComponent(m[1]));
    return { ok: true };
  }],
  ['GET', /^\/device-states\/(.+)$/, (f, m) => ({ name: decodeURIComponent(m[1]), state: f.deviceState(decodeURIComponent(m[1])) })],
  ['GET', /^\/hints\/(.+)$/, (f, m) => ({ hint: decodeURIComponent(m[1]), state: f.hintState(decodeURIComponent(m[1])) })],
  ['POST', /^\/dialplan$/, (f, _m, b) => {
    f.loadDialplan(s(b.text));
    return { ok: true, warnings: f.warnings };
  }],
  ['POST', /^\/websocket\/drop$/, (f, _m, b) => {
    f.dropWebSocket({ refuse: b.refuse === true });
    return { ok: true };
  }],
  ['POST', /^\/websocket\/restore$/, (f) => {
    f.restoreWebSocket();
    return { ok: true };
  }],
  ['POST', /^\/restart$/, async (f, _m, b) => {
    // Answer first: the restart closes this very connection.
    setTimeout(() => void f.restart({ downtimeMs: n(b.downtimeMs, 0) }), 10);
    return { ok: true };
  }],
  ['GET', /^\/requests$/, (f) => ({ count: f.requestCount, requests: f.requests })],
  ['DELETE', /^\/requests$/, (f) => {
    f.resetRequestCount();
    return { ok: true };
  }],
  ['GET', /^\/events$/, (f, _m, _b, q) => {
    const since = n(q.get('since'), 0);
    const type = q.get('type');
    return f.events.slice(since).filter((e) => !type || e.event.type === type);
  }],
  ['DELETE', /^\/events$/, (f) => {
    f.clearEvents();
    return { ok: true };
  }],
  ['GET', /^\/stats$/, (f) => ({ ...f.stats, requestCount: f.requestCount, events: f.events.length })],
  ['GET', /^\/warnings$/, (f) => f.warnings],
  ['GET', /^\/messages$/, (f) => f.messages],
];

export function buildControl(fake: FakeAsterisk) {
  return async (method: string, path: string, query: QueryList, body: unknown): Promise<{ status: number; body?: unknown }> => {
    const b = (body && typeof body === 'object' ? body : {}) as Body;
    const q = new Map(query);
    for (const [m, re, handler] of ROUTES) {
      if (m !== method) continue;
      const match = re.exec(path);
      if (!match) continue;
      try {
        const result = await handler(fake, match, b, q);
        return { status: 200, body: result ?? { ok: true } };
      } catch (e) {
        const status = e instanceof FakeUsageError ? e.status : 500;
        return { status, body: { message: (e as Error).message } };
      }
    }
    return { status: 404, body: { message: `no control route ${method} /_fake${path}` } };
  };
}
