import { ParkingError } from '../../../apps/parking/src/domain/errors';
import { T0, parkedCall, startApi, type ApiHarness } from './api-harness';

describe('[A3] call-control API (routes against a stub service)', () => {
  let h: ApiHarness;
  let t: { id: string; key: string };
  let other: { id: string; key: string };
  let base: string;
  const CALL_ID = '7b0c2a5e-0000-4000-8000-000000000001';

  beforeAll(async () => {
    h = await startApi();
    t = await h.tenant('acme');
    other = await h.tenant('globex');
    base = `/api/v1/tenants/${t.id}/parked-calls`;
    for (const n of ['101', '201']) await h.call('POST', `/api/v1/tenants/${t.id}/extensions`, { body: { number: n, endpoint: `PJSIP/${n}` } });
    await h.call('POST', `/api/v1/tenants/${t.id}/slots`, { body: { number: '7001' } });
    await h.call('POST', `/api/v1/tenants/${t.id}/groups`, { body: { name: 'Sales', members: ['101'], destinations: ['7001'] } });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.service.calls = [parkedCall(t.id), parkedCall(other.id, { id: '7b0c2a5e-0000-4000-8000-000000000002', callerChannelId: 'caller-2' })];
    h.ari.state = 'connected';
    h.clock.now = T0;
    jest.clearAllMocks();
  });

  it('[A3] lists the tenant’s parked calls: caller, parker, place, how, age and time to recall', async () => {
    const res = await h.call('GET', base, { key: t.key });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        {
          id: CALL_ID,
          place: '7001',
          placeKind: 'SLOT',
          retrievalNumber: '7001',
          caller: { name: 'Alice', number: '5551234' },
          parker: '101',
          method: 'BLIND_TRANSFER',
          groupId: null,
          state: 'PARKED',
          parkedAt: new Date(T0 - 30_000).toISOString(),
          recallAt: new Date(T0 + 90_000).toISOString(),
          timeoutAt: new Date(T0 + 870_000).toISOString(),
          waitedSec: 30,
          secondsToRecall: 90,
        },
      ],
      // The list is current to the tenant's last event: a console resumes the stream from there.
      seq: 0,
      epoch: h.bus.epoch,
      at: new Date(T0).toISOString(),
    });
    h.clock.now = T0 + 100_000;
    expect((await h.call('GET', base, { key: t.key })).json().items[0]).toMatchObject({ waitedSec: 130, secondsToRecall: 0 });
    // Another tenant's key: not found.
    expect((await h.call('GET', base, { key: other.key })).statusCode).toBe(404);
  });

  it('[A3][P5] parks a live call into a slot, an extension, a group or the next free place (202)', async () => {
    h.service.park.mockResolvedValue({ parkedCallId: CALL_ID, place: { kind: 'SLOT', number: '7001' }, retrievalNumber: '7001' });
    const res = await h.call('POST', base, { key: t.key, body: { channelId: 'chan-9', slot: '7001', parker: '201' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ parkedCallId: CALL_ID, place: '7001', placeKind: 'SLOT', retrievalNumber: '7001' });
    const req = h.service.park.mock.calls[0][0];
    expect(req).toMatchObject({ channelId: 'chan-9', target: { kind: 'SLOT', number: '7001' }, parkerExtension: '201' });
    expect(req.config.settings.id).toBe(t.id);

    h.service.park.mockResolvedValue({ parkedCallId: CALL_ID, place: { kind: 'CODE', code: '7250' }, retrievalNumber: '*71*7250' });
    expect((await h.call('POST', base, { key: t.key, body: { channelId: 'chan-9' } })).json()).toMatchObject({ place: '*7250', retrievalNumber: '*71*7250' });
    expect(h.service.park.mock.calls[1][0]).toMatchObject({ target: 'auto', parkerExtension: null });
    await h.call('POST', base, { key: t.key, body: { channelId: 'chan-9', group: 'Sales' } });
    expect(h.service.park.mock.calls[2][0].target).toEqual({ groupName: 'Sales' });
    await h.call('POST', base, { key: t.key, body: { channelId: 'chan-9', extension: '201' } });
    expect(h.service.park.mock.calls[3][0].target).toEqual({ kind: 'EXTENSION', number: '201' });
  });

  it('[A3] park errors: validation, unknown extension, and the service’s own errors with their status', async () => {
    const two = await h.call('POST', base, { key: t.key, body: { channelId: 'c', slot: '7001', extension: '101' } });
    expect(two.statusCode).toBe(400);
    expect((await h.call('POST', base, { key: t.key, body: { slot: '7001' } })).json().error.details.fields).toEqual([{ field: 'channelId', problem: expect.any(String) }]);
    expect((await h.call('POST', base, { key: t.key, body: { channelId: 'c', extension: '999' } })).statusCode).toBe(404);

    const cases: Array<[ParkingError, number]> = [
      [new ParkingError('call-gone', 'no call c in Asterisk'), 404],
      [new ParkingError('slot-occupied', 'a call is already parked on 7001'), 409],
      [new ParkingError('lot-full', 'no call park extension is free'), 409],
      [new ParkingError('not-allowed', '201 may not park on 7001'), 403],
    ];
    for (const [err, status] of cases) {
      h.service.park.mockRejectedValueOnce(err);
      const res = await h.call('POST', base, { key: t.key, body: { channelId: 'c', slot: '7001' } });
      expect(res.statusCode).toBe(status);
      expect(res.json().error).toMatchObject({ id: err.id, message: err.message });
    }
  });

  it('[A3] 503 ari-unavailable while Asterisk is not connected', async () => {
    h.ari.state = 'reconnecting';
    for (const [method, url, body] of [
      ['POST', base, { channelId: 'c' }],
      ['POST', `${base}/${CALL_ID}/retrieve`, { extension: '201' }],
      ['DELETE', `${base}/${CALL_ID}`, undefined],
    ] as const) {
      const res = await h.call(method, url, { key: t.key, body });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.id).toBe('ari-unavailable');
    }
    expect(h.service.park).not.toHaveBeenCalled();
    // Listing still works from the service's memory.
    expect((await h.call('GET', base, { key: t.key })).statusCode).toBe(200);
  });

  it('[A3][R5] retrieves a parked call to a phone of the tenant (202)', async () => {
    h.service.deliver.mockResolvedValue('deliver-abc');
    const res = await h.call('POST', `${base}/${CALL_ID}/retrieve`, { key: t.key, body: { extension: '201' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ parkedCallId: CALL_ID, extension: '201', channelId: 'deliver-abc' });
    expect(h.service.deliver).toHaveBeenCalledWith(CALL_ID, 'PJSIP/201', '201');

    expect((await h.call('POST', `${base}/${CALL_ID}/retrieve`, { key: t.key, body: { extension: '999' } })).json().error.id).toBe('not-found');
    expect((await h.call('POST', `${base}/${CALL_ID}/retrieve`, { key: t.key, body: {} })).statusCode).toBe(400);
    // Another tenant's call is not found.
    const foreign = await h.call('POST', `${base}/7b0c2a5e-0000-4000-8000-000000000002/retrieve`, { key: t.key, body: { extension: '201' } });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.id).toBe('no-parked-call');
    expect(h.service.deliver).toHaveBeenCalledTimes(1);
  });

  it('[A3] hangs up a parked call (204); unknown or foreign calls are 404', async () => {
    h.service.hangUp.mockResolvedValue(undefined);
    expect((await h.call('DELETE', `${base}/${CALL_ID}`, { key: t.key })).statusCode).toBe(204);
    expect(h.service.hangUp).toHaveBeenCalledWith(CALL_ID, 'api:acme key');
    expect((await h.call('DELETE', `/api/v1/tenants/${other.id}/parked-calls/${CALL_ID}`, { key: other.key })).statusCode).toBe(404);
    expect((await h.call('DELETE', `${base}/not-a-uuid`, { key: t.key })).statusCode).toBe(400);
    expect(h.service.hangUp).toHaveBeenCalledTimes(1);
  });
});
