/**
 * HTTP + WebSocket front end of the fake Asterisk (main/http.c, res/res_ari.c,
 * res/ari/ari_websockets.c):
 *  - /ari/... ARI over HTTP/1.1 with keep-alive (session_keep_alive 15 s);
 *  - Basic auth or ?api_key=user:pass, else 401 {"message":"Authentication required"};
 *  - optional sessionLimit: like http.conf sessionlimit, a TCP connection over the limit is
 *    closed without any response (httpd_helper_thread: "HTTP session count exceeded");
 *    upgraded WebSockets stop counting;
 *  - /ari/events WebSocket (app=a,b[&subscribeAll=true]); REST requests over it (RESTRequest);
 *  - /_fake/... the fake's control API (no auth).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import type { WsSession } from './apps';
import type { Engine } from './engine';
import { defaultReason } from './errors';
import type { QueryList } from './route-types';
import type { Router } from './router';
import { astTimestamp, astTrue } from './util';

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  at: number;
}

export interface ServerOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  sessionLimit?: number;
  keepAliveTimeoutMs: number;
  version: string;
  requestLogLimit: number;
}

export type ControlHandler = (
  method: string,
  path: string,
  query: QueryList,
  body: unknown,
) => Promise<{ status: number; body?: unknown }>;

/** ast_uri_decode(ast_uri_http_legacy): '+' is a space. */
function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export function parseQuery(raw: string): QueryList {
  const out: QueryList = [];
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) out.push([decode(part), '']);
    else out.push([decode(part.slice(0, eq)), decode(part.slice(eq + 1))]);
  }
  return out;
}

function queryObject(q: QueryList): Record<string, string | string[]> {
  const o: Record<string, string | string[]> = {};
  for (const [k, v] of q) {
    const prev = o[k];
    if (prev === undefined) o[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else o[k] = [prev, v];
  }
  return o;
}

export class AriServer {
  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<Socket>();
  private readonly counted = new WeakSet<Socket>();
  private httpSessionCount = 0;
  private nextSessionId = 1;
  readonly sessions = new Set<WsSession>();
  readonly requests: RequestLogEntry[] = [];
  /**
   * Test hook: for a request it matches, returns a promise the response waits for (it is
   * already carried out): events sent meanwhile overtake the response, as they can on a real
   * Asterisk under load.
   */
  responseGate: ((method: string, path: string) => Promise<void> | undefined) | null = null;
  requestCount = 0;
  /** Connections closed because of sessionLimit. */
  rejectedSessions = 0;
  refuseWebSockets = false;
  port = 0;

  constructor(
    private readonly engine: Engine,
    private readonly router: Router,
    private readonly opts: ServerOptions,
    private readonly control: ControlHandler,
  ) {}

  get httpSessions(): number {
    return this.httpSessionCount;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  async start(port = this.opts.port): Promise<number> {
    const server = createServer({ keepAlive: true }, (req, res) => void this.onRequest(req, res));
    server.keepAliveTimeout = this.opts.keepAliveTimeoutMs;
    server.headersTimeout = Math.max(this.opts.keepAliveTimeoutMs + 1000, 60_000);
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
    return this.port;
  }

  /** Closes the listener, every HTTP connection and every WebSocket, abruptly. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sessions) s.ws.terminate();
    for (const sock of this.sockets) sock.destroy();
    this.sockets.clear();
    this.httpSessionCount = 0;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Closes the events WebSockets with a close frame, after every event already sent (a clean shutdown). */
  async closeWebSockets(): Promise<void> {
    await Promise.all(
      [...this.sessions].map(
        (s) =>
          new Promise<void>((resolve) => {
            s.ws.once('close', () => resolve());
            s.ws.close(1001, 'Asterisk shutting down');
            setTimeout(() => {
              s.ws.terminate();
              resolve();
            }, 1000).unref();
          }),
      ),
    );
  }

  /** Closes the events WebSockets (their apps are deactivated when the close is seen). */
  dropWebSockets(): void {
    for (const s of [...this.sessions]) {
      s.ws.terminate();
      this.closeSession(s);
    }
  }

  resetRequestLog(): void {
    this.requests.length = 0;
    this.requestCount = 0;
  }

  private onConnection(socket: Socket): void {
    const limit = this.opts.sessionLimit;
    if (limit !== undefined && this.httpSessionCount >= limit) {
      this.rejectedSessions++;
      socket.destroy();
      return;
    }
    this.httpSessionCount++;
    this.counted.add(socket);
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.uncount(socket);
    });
  }

  private uncount(socket: Socket): void {
    if (this.counted.has(socket)) {
      this.counted.delete(socket);
      this.httpSessionCount = Math.max(0, this.httpSessionCount - 1);
    }
  }

  private log(method: string, path: string, query: QueryList): void {
    this.requestCount++;
    if (this.requests.length >= this.opts.requestLogLimit) this.requests.splice(0, this.requests.length >>> 1);
    this.requests.push({ method, path, query: queryObject(query), at: Date.now() });
    this.engine.notify();
  }

  private checkAuth(req: IncomingMessage, query: QueryList): boolean {
    const header = req.headers.authorization;
    let user: string | undefined;
    let pass: string | undefined;
    if (header && /^basic /i.test(header)) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        user = decoded.slice(0, colon);
        pass = decoded.slice(colon + 1);
      }
    } else {
      const key = query.find(([k]) => k === 'api_key');
      if (key && key[1]) {
        const colon = key[1].indexOf(':');
        if (colon >= 0 && key[1].slice(colon + 1) !== '') {
          user = key[1].slice(0, colon);
          pass = key[1].slice(colon + 1);
        }
      }
    }
    return user === this.opts.username && pass === this.opts.password;
  }

  private send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}, reason?: string): void {
    const headers: Record<string, string | number> = {
      Server: `Asterisk/${this.opts.version}`,
      'Cache-Control': 'no-cache, no-store',
      ...extraHeaders,
    };
    let payload: Buffer | undefined;
    if (body !== undefined && body !== null && status !== 204) {
      payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      if (!headers['Content-Type']) headers['Content-Type'] = 'application/json';
    }
    headers['Content-Length'] = payload ? payload.length : 0;
    res.writeHead(status, reason ?? defaultReason(status), headers);
    res.end(payload);
  }

  private async readBody(req: IncomingMessage): Promise<{ json: unknown; form: QueryList; error: boolean }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json') {
      if (text.length === 0) return { json: null, form: [], error: false };
      try {
        return { json: JSON.parse(text), form: [], error: false };
      } catch {
        return { json: null, form: [], error: true };
      }
    }
    if (type === 'application/x-www-form-urlencoded') return { json: null, form: parseQuery(text), error: false };
    return { json: null, form: [], error: false };
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi >= 0 ? url.slice(0, qi) : url;
    let query = parseQuery(qi >= 0 ? url.slice(qi + 1) : '');
    const method = (req.method ?? 'GET').toUpperCase();
    this.log(method, path, query);
    try {
      const { json, form, error } = await this.readBody(req);
      if (path.startsWith('/_fake/') || path === '/_fake') {
        const r = await this.control(method, path.slice('/_fake'.length), query, json);
        this.send(res, r.status, r.body === undefined ? undefined : r.body);
        return;
      }
      if (!path.startsWith('/ari/') && path !== '/ari') {
        this.send(res, 404, '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>', {
          'Content-Type': 'text/html',
        });
        return;
      }
      if (error) {
        this.send(res, 400, { message: 'Error parsing request body' });
        return;
      }
      if (form.length) query = [...form, ...query];
      if (!this.checkAuth(req, query)) {
        this.send(res, 401, { message: 'Authentication required' }, {
          'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"',
        });
        return;
      }
      const r = await this.router.dispatch(this.engine, method, path.slice('/ari/'.length), query, json, req.headers.host);
      await this.responseGate?.(method, path);
      if (r.status === 426) {
        this.send(res, 426, 'Upgrade Required', { 'Content-Type': 'text/plain' }, 'Upgrade Required');
        return;
      }
      this.send(res, r.status, r.body, r.headers, r.reason);
    } catch (e) {
      this.engine.warnings.push(`HTTP ${method} ${path}: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) this.send(res, 500, { message: (e as Error).message });
    }
  }

  private rejectUpgrade(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
    const lines = [
      `HTTP/1.1 ${status} ${defaultReason(status)}`,
      `Server: Asterisk/${this.opts.version}`,
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    socket.end(lines.join('\r\n'));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi >= 0 ? url.slice(0, qi) : url;
    const query = parseQuery(qi >= 0 ? url.slice(qi + 1) : '');
    this.log('GET', path, query);
    this.uncount(socket as Socket);
    if (path !== '/ari/events') {
      this.rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (!this.checkAuth(req, query)) {
      this.rejectUpgrade(socket, 401, JSON.stringify({ message: 'Authentication required' }), {
        'Content-Type': 'application/json',
        'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"',
      });
      return;
    }
    const apps = query.filter(([k]) => k === 'app').pop()?.[1] ?? '';
    if (apps.trim() === '') {
      this.rejectUpgrade(socket, 400, 'HTTP request is missing param: [app]');
      return;
    }
    if (this.refuseWebSockets) {
      this.rejectUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    const subscribeAll = astTrue(query.filter(([k]) => k === 'subscribeAll').pop()?.[1]);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onWebSocket(ws, apps, subscribeAll, req.headers.host));
  }

  private onWebSocket(ws: WebSocket, appsParam: string, subscribeAll: boolean, host: string | undefined): void {
    const session: WsSession = { id: this.nextSessionId++, ws, apps: new Set(), subscribeAll, closed: false };
    this.sessions.add(session);
    for (const name of appsParam.split(',').map((s) => s.trim()).filter(Boolean)) {
      this.engine.apps.register(name, session);
      if (subscribeAll) this.engine.deviceSubscribeAll(name);
    }
    this.engine.notify();
    ws.on('message', (data) => void this.onWsMessage(session, data.toString(), host));
    ws.on('close', () => this.closeSession(session));
    ws.on('error', () => this.closeSession(session));
  }

  private closeSession(session: WsSession): void {
    if (!this.sessions.has(session)) return;
    this.sessions.delete(session);
    this.engine.apps.sessionClosed(session);
    this.engine.notify();
  }

  /** REST over the events WebSocket (Asterisk 22.4+, res/ari/ari_websocket_requests.c). */
  private async onWsMessage(session: WsSession, text: string, host: string | undefined): Promise<void> {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.wsReply(session, { type: 'RESTResponse', transaction_id: '', request_id: '', status_code: 400, reason_phrase: 'Failed to parse request message JSON', uri: '' });
      return;
    }
    if (msg.type !== 'RESTRequest') return;
    const method = String(msg.method ?? 'GET').toUpperCase();
    const uri = String(msg.uri ?? '');
    const qi = uri.indexOf('?');
    const path = (qi >= 0 ? uri.slice(0, qi) : uri).replace(/^\/?(ari\/)?/, '');
    let query = parseQuery(qi >= 0 ? uri.slice(qi + 1) : '');
    if (Array.isArray(msg.query_strings)) {
      for (const q of msg.query_strings as Array<{ name: string; value: string }>) query.push([q.name, q.value]);
    }
    let body: unknown = null;
    if (typeof msg.message_body === 'string' && msg.message_body !== '') {
      if (String(msg.content_type ?? '').startsWith('application/json')) {
        try {
          body = JSON.parse(msg.message_body);
        } catch {
          body = null;
        }
      } else if (String(msg.content_type ?? '').startsWith('application/x-www-form-urlencoded')) {
        query = [...parseQuery(msg.message_body), ...query];
      }
    }
    this.log(method, `/ari/${path}`, query);
    const r = await this.router.dispatch(this.engine, method, path, query, body, host);
    const reply: Record<string, unknown> = {
      type: 'RESTResponse',
      transaction_id: msg.transaction_id ?? '',
      request_id: msg.request_id ?? '',
      status_code: r.status,
      reason_phrase: r.reason ?? defaultReason(r.status),
      uri,
    };
    if (r.body !== undefined && r.body !== null) {
      reply.content_type = 'application/json';
      reply.message_body = JSON.stringify(r.body);
    }
    this.wsReply(session, reply);
  }

  private wsReply(session: WsSession, msg: Record<string, unknown>): void {
    const out = { ...msg, timestamp: astTimestamp(), asterisk_id: this.engine.opts.asteriskId, application: [...session.apps][0] ?? '' };
    if (session.ws.readyState === 1) session.ws.send(JSON.stringify(out));
  }
}
