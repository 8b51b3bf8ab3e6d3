import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { ADMIN_KEY, startApi, type ApiHarness } from './api-harness';

interface Message {
  type: string;
  seq: number;
  epoch?: string;
}

/** Resolves when `check` holds after a message (events travel over a real socket). */
function collect(ws: WebSocket) {
  const received: Message[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    received.push(JSON.parse(String(data)));
    for (const w of waiters.splice(0)) w();
  });
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { received, until };
}

const opened = (ws: WebSocket) =>
  new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });

/** Sequence numbers, resuming with ?since=, the browser's subprotocol key and heartbeats (issue 17). */
describe('[A4] event stream: sequence, resume, heartbeat', () => {
  let h: ApiHarness;
  let acme: { id: string; key: string };
  let url: string;
  const sockets: WebSocket[] = [];
  const ws = (query: string, protocols?: string[], options: WebSocket.ClientOptions = {}) => {
    const socket = new WebSocket(`${url}${query}`, protocols, options);
    sockets.push(socket);
    return socket;
  };
  const publish = (type: string) => h.bus.publish({ type, tenantId: acme.id, parkedCallId: null, data: {} });
  const bearer = (key: string) => ['parking.v1', `bearer.${Buffer.from(key).toString('base64url')}`];

  beforeAll(async () => {
    h = await startApi({ replayLimit: 5, heartbeatMs: 100 });
    acme = await h.tenant('acme');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/api/v1/events`;
  });
  afterAll(async () => {
    for (const s of sockets) s.terminate();
    await h.close();
  });

  it('a browser passes the key as a subprotocol; the answer selects parking.v1, never the key', async () => {
    const socket = ws('', bearer(acme.key));
    const { received, until } = collect(socket);
    await opened(socket);
    expect(socket.protocol).toBe('parking.v1');
    publish('parked');
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({ type: 'parked', seq: h.bus.position(acme.id).seq });
    const bad = ws('', bearer('not-a-key'));
    await expect(opened(bad)).rejects.toThrow('HTTP 401');
  });

  it('GET parked-calls gives the sequence it is current to; ?since= replays what came after, then live, none twice', async () => {
    const snapshot = (await h.call('GET', `/api/v1/tenants/${acme.id}/parked-calls`, { key: acme.key })).json() as { seq: number; epoch: string };
    publish('parked');
    publish('retrieved');
    const socket = ws(`?since=${snapshot.seq}&epoch=${snapshot.epoch}`, bearer(acme.key));
    const { received, until } = collect(socket);
    await opened(socket);
    publish('abandoned');
    await until(() => received.length === 3);
    expect(received.map((m) => [m.type, m.seq])).toEqual([
      ['parked', snapshot.seq + 1],
      ['retrieved', snapshot.seq + 2],
      ['abandoned', snapshot.seq + 3],
    ]);
  });

  it('beyond the replay buffer, or from another epoch, the first message says resync', async () => {
    const start = h.bus.position(acme.id);
    for (let i = 0; i < 7; i++) publish('parked');
    const stale = ws(`?since=${start.seq}&epoch=${start.epoch}`, bearer(acme.key));
    const old = collect(stale);
    const other = ws(`?since=${start.seq + 7}&epoch=another-run`, bearer(acme.key));
    const elsewhere = collect(other);
    await Promise.all([opened(stale), opened(other)]);
    await old.until(() => old.received.length === 1);
    await elsewhere.until(() => elsewhere.received.length === 1);
    expect(old.received[0]).toEqual({ type: 'resync', epoch: start.epoch, seq: start.seq + 7 });
    expect(elsewhere.received[0]).toMatchObject({ type: 'resync' });
  });

  it('?since= needs one tenant: a system key without tenantId is told so before the upgrade', async () => {
    await expect(opened(ws(`?since=0&apiKey=${ADMIN_KEY}`))).rejects.toThrow('HTTP 400');
  });

  it('answers a text ping with a pong carrying the position; a client that stops answering pings is cut off', async () => {
    const alive = ws('', bearer(acme.key));
    const { received, until } = collect(alive);
    await opened(alive);
    alive.send('ping');
    await until(() => received.length === 1);
    expect(received[0]).toEqual({ type: 'pong', ...h.bus.position(acme.id) });

    const silent = ws('', bearer(acme.key), { autoPong: false });
    await opened(silent);
    let pinged = 0;
    silent.on('ping', () => pinged++);
    const code = await new Promise<number>((resolve) => silent.once('close', (c) => resolve(c)));
    expect(code).toBe(1006); // terminated: no close frame
    expect(pinged).toBeGreaterThanOrEqual(1);
    expect(alive.readyState).toBe(WebSocket.OPEN); // the one that answers stays
  });
});
