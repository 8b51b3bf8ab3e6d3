import WebSocket from 'ws';
import type { ParkingEvent } from '../../apps/parking/src/ports';
import { TEST_ADMIN_KEY, eventually, parked, startHarness, type Harness } from '../support/harness';

/**
 * The call-control API end to end (A3, A4): a receptionist console parks a live call,
 * rings it to a phone, hangs one up, and hears every step on the event stream.
 */
describe('call-control API through the fake Asterisk', () => {
  let h: Harness;
  let stream: WebSocket;
  const received: ParkingEvent[] = [];

  beforeEach(async () => {
    h = await startHarness();
    received.length = 0;
    stream = new WebSocket(`${h.running.url.replace('http', 'ws')}/api/v1/events?apiKey=${TEST_ADMIN_KEY}&tenantId=${h.tenantId}`);
    stream.on('message', (data) => received.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => stream.once('open', resolve).once('error', reject));
  });
  afterEach(async () => {
    stream.close();
    await h.stop();
  });

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${h.running.url}/api/v1/tenants/${h.tenantId}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  async function parkByApi(): Promise<{ id: string; caller: string }> {
    const call = h.fake.call('102', '101');
    const res = await api('POST', '/parked-calls', { channelId: call.callerChannelId, slot: '7001' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { parkedCallId: string; place: string; retrievalNumber: string };
    expect(body).toMatchObject({ place: '7001', retrievalNumber: '7001' });
    await eventually(() => parked(h).some((p) => p.caller === call.callerChannelId) && h.fake.deviceState('Stasis:park-acme-7001') === 'INUSE', 'API park');
    return { id: body.parkedCallId, caller: call.callerChannelId };
  }

  it('[A3][A4][P5] parks a live call by channel id; the list shows it and the stream says so', async () => {
    const { id, caller } = await parkByApi();
    expect(h.fake.bridgeOf(caller)?.bridge_type).toBe('holding');
    const list = (await (await api('GET', '/parked-calls')).json()) as { items: Array<Record<string, unknown>> };
    expect(list.items).toEqual([expect.objectContaining({ id, place: '7001', method: 'API', parker: '101' })]);
    await eventually(() => received.some((e) => e.type === 'parked' && e.parkedCallId === id), 'parked event on the stream');
  });

  it('[A3][R5][A4] retrieves a parked call to a phone: it rings, answers, and is bridged', async () => {
    const { id, caller } = await parkByApi();
    const res = await api('POST', `/parked-calls/${id}/retrieve`, { extension: '201' });
    expect(res.status).toBe(202);
    await h.fake.waitFor(() => h.fake.bridgedWith(caller).length === 1);
    expect(h.fake.phone('201').invites.at(-1)!.callerId.name).toMatch(/^Park 7001/);
    await eventually(() => received.some((e) => e.type === 'retrieved' && e.parkedCallId === id), 'retrieved event');
  });

  it('[A3][A6] hangs up a parked call; the history says hung up', async () => {
    const { id, caller } = await parkByApi();
    expect((await api('DELETE', `/parked-calls/${id}`)).status).toBe(204);
    await h.fake.waitFor(() => h.fake.channel(caller) === undefined && h.fake.deviceState('Stasis:park-acme-7001') === 'NOT_INUSE');
    await h.running.store.drained();
    const history = (await (await api('GET', `/history/${id}`)).json()) as { outcome: string; events: Array<{ type: string }> };
    expect(history.outcome).toBe('HUNG_UP');
    expect(history.events.map((e) => e.type)).toEqual(['parked', 'hung_up']);
    await eventually(() => received.some((e) => e.type === 'hung_up'), 'hung_up event');
  });

  it('[A3] a channel Asterisk does not know is a clear 404, and an occupied slot a 409', async () => {
    const gone = await api('POST', '/parked-calls', { channelId: 'no-such-channel', slot: '7001' });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { id: string } }).error.id).toBe('call-gone');
    await parkByApi();
    const other = h.fake.call('103', '202');
    const taken = await api('POST', '/parked-calls', { channelId: other.callerChannelId, slot: '7001' });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { error: { id: string } }).error.id).toBe('slot-occupied');
    expect(h.fake.bridgedWith(other.callerChannelId)).toEqual([other.calleeChannelId]);
  });
});
