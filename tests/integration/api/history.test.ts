import { T0, startApi, type ApiHarness } from './api-harness';

describe('[A6] parking history', () => {
  let h: ApiHarness;
  let t: { id: string; key: string };
  let other: { id: string; key: string };
  let base: string;
  const minute = 60_000;

  beforeAll(async () => {
    h = await startApi();
    t = await h.tenant('acme');
    other = await h.tenant('globex');
    base = `/api/v1/tenants/${t.id}/history`;
    const row = (i: number, over: Record<string, unknown>) => ({
      tenantId: t.id,
      placeKind: 'SLOT' as const,
      place: '7001',
      callerChannelId: `c${i}`,
      callerName: `Caller ${i}`,
      callerNumber: `555000${i}`,
      parkerExtension: '101',
      method: 'BLIND_TRANSFER' as const,
      parkedAt: new Date(T0 - (10 - i) * minute),
      timeoutAt: new Date(T0 + 15 * minute),
      ...over,
    });
    const ended = (i: number, waitSec: number, outcome: string, extra: Record<string, unknown> = {}) =>
      row(i, { state: 'ENDED', outcome, endedAt: new Date(T0 - (10 - i) * minute + waitSec * 1000), ...extra });
    const calls = [
      ended(1, 42, 'RETRIEVED', { retrievedBy: '201' }),
      ended(2, 120, 'RECALL_ANSWERED', { place: '7002', recallAttempts: 1 }),
      ended(3, 5, 'ABANDONED', { parkerExtension: '102', place: '333', placeKind: 'EXTENSION' }),
      ended(4, 900, 'TIMED_OUT', { method: 'API', parkerExtension: null }),
      row(5, { state: 'PARKED' }),
    ];
    for (const data of calls) {
      const created = await h.db.prisma.parkedCall.create({ data: data as never });
      await h.db.prisma.parkEvent.create({ data: { parkedCallId: created.id, tenantId: t.id, type: 'parked', at: created.parkedAt, details: { place: created.place } } });
      if (created.endedAt) {
        await h.db.prisma.parkEvent.create({ data: { parkedCallId: created.id, tenantId: t.id, type: created.outcome!.toLowerCase(), at: created.endedAt, details: {} } });
      }
    }
    await h.db.prisma.parkedCall.create({ data: { ...row(6, {}), tenantId: other.id } as never });
  });
  afterAll(() => h.close());

  it('[A6] lists the tenant’s parked calls newest first, with how long each caller waited', async () => {
    const res = await h.call('GET', base, { key: t.key });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page).toMatchObject({ total: 5, limit: 50, offset: 0 });
    expect(page.items.map((c: { callerName: string }) => c.callerName)).toEqual(['Caller 5', 'Caller 4', 'Caller 3', 'Caller 2', 'Caller 1']);
    expect(page.items[4]).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201', waitedSec: 42, parkerExtension: '101', state: 'ENDED', method: 'BLIND_TRANSFER' });
    // Still parked: waited until now (5 minutes).
    expect(page.items[0]).toMatchObject({ state: 'PARKED', outcome: null, endedAt: null, waitedSec: 300 });
  });

  it('[A6] filters by time range, place, parker and outcome, with paging', async () => {
    const q = async (query: string) => (await h.call('GET', `${base}?${query}`, { key: t.key })).json();
    const from = new Date(T0 - 8 * minute).toISOString();
    const to = new Date(T0 - 6 * minute).toISOString();
    expect((await q(`from=${from}&to=${to}`)).items.map((c: { callerName: string }) => c.callerName)).toEqual(['Caller 3', 'Caller 2']);
    expect((await q('place=7002')).items).toMatchObject([{ callerName: 'Caller 2', recallAttempts: 1 }]);
    expect((await q('parker=102')).items).toMatchObject([{ place: '333', placeKind: 'EXTENSION', outcome: 'ABANDONED', waitedSec: 5 }]);
    expect((await q('outcome=TIMED_OUT')).items).toMatchObject([{ method: 'API', parkerExtension: null, waitedSec: 900 }]);
    const paged = await q('limit=2&offset=2');
    expect(paged).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(paged.items.map((c: { callerName: string }) => c.callerName)).toEqual(['Caller 3', 'Caller 2']);

    const bad = await h.call('GET', `${base}?outcome=EATEN&from=yesterday`, { key: t.key });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['from', 'outcome']);
  });

  it('[A6] shows one call with its timeline; another tenant’s call is not found', async () => {
    const first = (await h.call('GET', `${base}?outcome=RETRIEVED`, { key: t.key })).json().items[0];
    const res = await h.call('GET', `${base}/${first.id}`, { key: t.key });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: first.id, waitedSec: 42, events: [{ type: 'parked', details: { place: '7001' } }, { type: 'retrieved' }] });
    expect(res.json().events[0].id).toMatch(/^\d+$/);

    const foreign = await h.db.prisma.parkedCall.findFirstOrThrow({ where: { tenantId: other.id } });
    expect((await h.call('GET', `${base}/${foreign.id}`, { key: t.key })).statusCode).toBe(404);
    expect((await h.call('GET', `${base}/${foreign.id}`)).statusCode).toBe(404);
    expect((await h.call('GET', `/api/v1/tenants/${other.id}/history`, { key: t.key })).statusCode).toBe(404);
  });
});
