import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { ParkingEvent } from '../../../apps/parking/src/ports';
import { ADMIN_KEY, startApi, type ApiHarness } from './api-harness';

/** A WebSocket client that collects the events it receives. */
function connect(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const received: ParkingEvent[] = [];
  ws.on('message', (data) => received.push(JSON.parse(data.toString())));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, received, opened };
}

/** Waits until `check` holds (events travel over a real socket). */
async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('[A4] event stream (WebSocket)', () => {
  let h: ApiHarness;
  let acme: { id: string; key: string };
  let globex: { id: string; key: string };
  let url: string;
  const sockets: WebSocket[] = [];
  const open = async (query: string, headers?: Record<string, string>) => {
    const client = connect(`${url}${query}`, headers);
    sockets.push(client.ws);
    await client.opened;
    return client;
  };
  const publish = (type: string, tenantId: string) => h.bus.publish({ type, tenantId, parkedCallId: null, data: { place: '7001' } });

  beforeAll(async () => {
    h = await startApi();
    acme = await h.tenant('acme');
    globex = await h.tenant('globex');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/api/v1/events`;
  });
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await h.close();
  });

  it('[A4][A5] a tenant key receives its tenant’s events and not another tenant’s', async () => {
    const client = await open('', { authorization: `Bearer ${acme.key}` });
    publish('parked', globex.id);
    publish('parked', acme.id);
    publish('retrieved', acme.id);
    await until(() => client.received.length >= 2);
    expect(client.received.map((e) => [e.type, e.tenantId])).toEqual([
      ['parked', acme.id],
      ['retrieved', acme.id],
    ]);
    expect(client.received[0]).toEqual({ id: expect.any(String), type: 'parked', tenantId: acme.id, at: expect.any(String), seq: 1, parkedCallId: null, data: { place: '7001' } });
  });

  it('[A4] browsers authenticate with ?apiKey=; an admin key gets every tenant, or one with ?tenantId=', async () => {
    const all = await open(`?apiKey=${ADMIN_KEY}`);
    const one = await open(`?apiKey=${ADMIN_KEY}&tenantId=${globex.id}`);
    const own = await open(`?apiKey=${globex.key}&tenantId=${globex.id}`);
    publish('hung_up', acme.id);
    publish('timed_out', globex.id);
    await until(() => all.received.length >= 2 && one.received.length >= 1 && own.received.length >= 1);
    expect(all.received.map((e) => e.type)).toEqual(['hung_up', 'timed_out']);
    expect(one.received.map((e) => e.type)).toEqual(['timed_out']);
    expect(own.received.map((e) => e.type)).toEqual(['timed_out']);
  });

  it('[A4][A5] refuses the upgrade without a valid key (401) or for another tenant (404)', async () => {
    await expect(open('')).rejects.toThrow('HTTP 401');
    await expect(open('?apiKey=wrong')).rejects.toThrow('HTTP 401');
    await expect(open(`?apiKey=${acme.key}&tenantId=${globex.id}`)).rejects.toThrow('HTTP 404');
    await expect(open(`?apiKey=${ADMIN_KEY}&tenantId=00000000-0000-4000-8000-000000000000`)).rejects.toThrow('HTTP 404');
  });

  it('[A4] a closed socket stops receiving (the subscription is released)', async () => {
    const client = await open('', { authorization: `Bearer ${acme.key}` });
    client.ws.close();
    await new Promise((r) => client.ws.once('close', r));
    publish('parked', acme.id);
    const after = await open('', { authorization: `Bearer ${acme.key}` });
    publish('abandoned', acme.id);
    await until(() => after.received.length >= 1);
    expect(client.received).toEqual([]);
    expect(after.received.map((e) => e.type)).toEqual(['abandoned']);
  });
});
