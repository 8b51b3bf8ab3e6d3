import { TEST_ADMIN_KEY, startHarness, type Harness } from '../support/harness';

/** "My calls" of a console (issue 17): an extension's live calls, with the party to park. */
describe('GET /extensions/{number}/calls through the fake Asterisk', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  const calls = async (number: string) => {
    const res = await fetch(`${h.running.url}/api/v1/tenants/${h.tenantId}/extensions/${number}/calls`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    return { status: res.status, body: (await res.json()) as { items: Array<Record<string, unknown>>; error?: { id: string } } };
  };

  it('lists the phone’s calls with the other party’s caller id; none when idle; 404 for no such extension', async () => {
    const call = h.fake.call('102', '101');
    const res = await calls('101');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { channelId: call.calleeChannelId, state: 'Up', peer: { channelId: call.callerChannelId, name: expect.any(String), number: '102' } },
    ]);
    expect((await calls('201')).body.items).toEqual([]);
    expect((await calls('999')).status).toBe(404);
  });

  it('the peer it names is the one the call-control API parks, with me as the parker', async () => {
    const call = h.fake.call('102', '101');
    const peer = (await calls('101')).body.items[0].peer as { channelId: string };
    const res = await fetch(`${h.running.url}/api/v1/tenants/${h.tenantId}/parked-calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channelId: peer.channelId, slot: '7002', parker: '101' }),
    });
    expect(res.status).toBe(202);
    await h.fake.waitFor(() => h.fake.bridgeOf(call.callerChannelId)?.bridge_type === 'holding');
    await h.fake.waitFor(() => h.fake.channel(call.calleeChannelId) === undefined);
    expect((await calls('101')).body.items).toEqual([]);
  });
});
