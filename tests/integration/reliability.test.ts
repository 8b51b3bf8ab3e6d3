import { TEST_ADMIN_KEY, eventually, parked, startHarness, type Harness, type HarnessOptions } from '../support/harness';

/**
 * What the service survives (issue 7), each test named for it. The promise: no caller hung
 * up by us, every lamp true, every record live or closed as reality says, history complete.
 */
describe('reliability', () => {
  let h: Harness;
  const start = async (opts: HarnessOptions = {}) => {
    h = await startHarness(opts);
  };
  afterEach(async () => {
    await h?.stop();
  });

  async function blindPark(caller: string, parker: string, code: string): Promise<string> {
    const call = h.fake.call(caller, parker);
    h.fake.blindTransfer(call.calleeChannelId, code);
    const place = code.replace(/^\*70/, '');
    await eventually(() => parked(h).some((p) => p.caller === call.callerChannelId) && h.fake.deviceState(`Stasis:park-acme-${place}`) === 'INUSE', `parked on ${place}`);
    return call.callerChannelId;
  }

  const reconciled = () => new Promise<void>((resolve) => h.running.connection.once('reconciled', () => resolve()));

  it('[O5][B1] Asterisk restarts: parks are closed as lost, lamps reset, and parking resumes', async () => {
    await start();
    await blindPark('102', '101', '7001');
    await blindPark('103', '201', '*70333');
    const back = reconciled();
    await h.fake.restart();
    await back;
    expect(parked(h)).toHaveLength(0);
    expect(h.fake.deviceState('Stasis:park-acme-7001')).toBe('NOT_INUSE');
    expect(h.fake.deviceState('Stasis:park-acme-333')).toBe('NOT_INUSE');
    expect(h.fake.deviceState('Stasis:park-acme')).toBe('NOT_INUSE');
    await h.running.store.drained();
    const rows = await h.db.prisma.parkedCall.findMany();
    expect(rows.map((r) => [r.state, r.outcome])).toEqual([
      ['ENDED', 'LOST'],
      ['ENDED', 'LOST'],
    ]);
    // A new park works on the fresh Asterisk (the holding bridge is made again).
    await blindPark('102', '101', '7002');
  });

  it('[O5] Asterisk is stopped or restarted cleanly (core restart now): history says Asterisk hung the callers up, not that they left', async () => {
    await start();
    await blindPark('102', '101', '7001');
    await blindPark('103', '201', '*70333');
    const back = reconciled();
    await h.fake.restart({ graceful: true });
    await back;
    expect(parked(h)).toHaveLength(0);
    await h.running.store.drained();
    const rows = await h.db.prisma.parkedCall.findMany({ include: { events: true } });
    expect(rows.map((r) => r.outcome)).toEqual(['LOST', 'LOST']);
    for (const row of rows) expect(row.events.find((e) => e.type === 'lost')?.details).toMatchObject({ reason: 'Asterisk shut down or restarted and hung up the call' });
    expect(h.events.filter((e) => e.type === 'lost')).toHaveLength(2);
    expect(h.events.filter((e) => e.type === 'abandoned')).toHaveLength(0);
    expect(h.fake.deviceState('Stasis:park-acme-7001')).toBe('NOT_INUSE');
  });

  it('[O5] a reconcile run twice changes nothing the second time', async () => {
    await start();
    await blindPark('102', '101', '7001');
    const first = await h.running.service.reconcile();
    const second = await h.running.service.reconcile();
    expect(first).toEqual({ adopted: 0, closed: 0, lampsFixed: 0 });
    expect(second).toEqual(first);
    expect(parked(h)).toHaveLength(1);
  });

  it('[O5][R7][B1] the WebSocket drops for longer than ari-client retries: the service reconnects and catches up', async () => {
    await start();
    const stays = await blindPark('102', '101', '7001');
    const leaves = await blindPark('103', '201', '7002');
    h.fake.dropWebSocket({ refuse: true });
    await eventually(() => h.running.connection.state !== 'connected', 'disconnected');
    h.fake.hangup(leaves); // its StasisEnd is lost in the gap
    // ari-client gives up after ~43 s; our supervisor keeps trying.
    await new Promise((resolve) => h.running.connection.once('gave-up', resolve));
    const back = reconciled();
    h.fake.restoreWebSocket();
    await back;
    expect(parked(h).map((p) => p.caller)).toEqual([stays]);
    expect(h.fake.bridgeOf(stays)?.bridge_type).toBe('holding');
    expect(h.fake.deviceState('Stasis:park-acme-7002')).toBe('NOT_INUSE');
    expect(h.fake.deviceState('Stasis:park-acme-7001')).toBe('INUSE');
    const retriever = h.fake.dial('202', '7001');
    await h.fake.waitFor(() => h.fake.bridgedWith(stays).includes(retriever));
  }, 90_000);

  it('[O5] the database goes away: parking and retrieval go on, writes queue and land in order when it is back', async () => {
    await start({ dbProxy: true });
    const first = await blindPark('102', '101', '7001');
    await h.running.store.drained();
    h.proxy!.cut();
    const second = await blindPark('103', '201', '7002');
    const retriever = h.fake.dial('202', '7001');
    await h.fake.waitFor(() => h.fake.bridgedWith(first).includes(retriever));
    await eventually(() => h.running.store.pending > 0, 'writes queued');
    const ready = await fetch(`${h.running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { database: string } }).checks.database).toMatch(/unreachable/);
    h.proxy!.restore();
    await eventually(() => h.running.store.pending === 0, 'queue flushed', 20_000);
    const rows = await h.db.prisma.parkedCall.findMany({ include: { events: { orderBy: { id: 'asc' } } }, orderBy: { place: 'asc' } });
    expect(rows.map((r) => [r.place, r.state, r.outcome])).toEqual([
      ['7001', 'ENDED', 'RETRIEVED'],
      ['7002', 'PARKED', null],
    ]);
    expect(rows[0].events.map((e) => e.type)).toEqual(['parked', 'retrieved']);
    expect(h.fake.bridgeOf(second)?.bridge_type).toBe('holding');
    expect((await fetch(`${h.running.url}/readyz`)).status).toBe(200);
  }, 40_000);

  it('[O5][O6] PostgreSQL is stopped and started: callers are parked, retrieved and abandoned meanwhile, and the history is complete', async () => {
    await start({ ownPostgres: true });
    const retrieved = await blindPark('102', '101', '7001');
    await h.running.store.drained();
    await h.db.stopServer!();
    await eventually(() => !h.running.lock.held, 'the lock session lost with the server');

    const stays = await blindPark('103', '201', '7002');
    const leaves = await blindPark('333', '101', '7003');
    h.fake.hangup(leaves);
    const retriever = h.fake.dial('202', '7001');
    await h.fake.waitFor(() => h.fake.bridgedWith(retrieved).includes(retriever));
    await eventually(() => h.fake.deviceState('Stasis:park-acme-7003') === 'NOT_INUSE' && h.fake.deviceState('Stasis:park-acme-7001') === 'NOT_INUSE', 'lamps of the places left');
    const ready = await fetch(`${h.running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(h.running.connection.state).toBe('connected'); // the calls are still ours to handle

    await h.db.startServer!();
    await eventually(() => h.running.lock.held && h.running.store.pending === 0, 'the lock taken back and the queued writes applied', 20_000);
    expect((await fetch(`${h.running.url}/readyz`)).status).toBe(200);
    const rows = await h.db.prisma.parkedCall.findMany({ include: { events: { orderBy: { id: 'asc' } } }, orderBy: { place: 'asc' } });
    expect(rows.map((r) => [r.place, r.state, r.outcome, r.events.map((e) => e.type).join(',')])).toEqual([
      ['7001', 'ENDED', 'RETRIEVED', 'parked,retrieved'],
      ['7002', 'PARKED', null, 'parked'],
      ['7003', 'ENDED', 'ABANDONED', 'parked,abandoned'],
    ]);
    // Nobody was hung up by us; the lamps say what is parked.
    expect(h.fake.bridgeOf(stays)?.bridge_type).toBe('holding');
    expect(h.fake.bridgedWith(retrieved)).toEqual([retriever]);
    expect(h.fake.deviceState('Stasis:park-acme-7002')).toBe('INUSE');
    expect(h.fake.deviceState('Stasis:park-acme')).toBe('INUSE');
  }, 60_000);

  /** 102, parked on 7001, retrieved by 202: the two are talking in the service's connect bridge. */
  async function retrievedCall() {
    const caller = await blindPark('102', '101', '7001');
    const retriever = h.fake.dial('202', '7001');
    await h.fake.waitFor(() => h.fake.bridgedWith(caller).includes(retriever));
    return { caller, retriever };
  }
  const connectBridges = () => h.fake.bridges().filter((b) => b.id.startsWith('connect-'));

  it('[O5][R7] the retriever hangs up while the WebSocket is down: the caller is not left alone in the bridge', async () => {
    await start();
    const { caller, retriever } = await retrievedCall();
    h.fake.dropWebSocket({ refuse: true });
    await eventually(() => h.running.connection.state !== 'connected', 'disconnected');
    h.fake.hangup(retriever); // its StasisEnd is lost in the gap
    const back = reconciled();
    h.fake.restoreWebSocket();
    await back;
    await h.fake.waitFor(() => h.fake.channel(caller) === undefined && connectBridges().length === 0);
  }, 30_000);

  it('[O5][R7] the retriever hangs up while the service is restarting: the caller is hung up too, the park stays retrieved', async () => {
    await start();
    const { caller, retriever } = await retrievedCall();
    await h.running.store.drained();
    await h.restartService(() => h.fake.hangup(retriever));
    await h.fake.waitFor(() => h.fake.channel(caller) === undefined && connectBridges().length === 0);
    await h.running.store.drained();
    const row = await h.db.prisma.parkedCall.findFirstOrThrow({ include: { events: { orderBy: { id: 'asc' } } } });
    expect(row).toMatchObject({ state: 'ENDED', outcome: 'RETRIEVED' });
    expect(row.events.map((e) => e.type)).toEqual(['parked', 'retrieved']);
  }, 30_000);

  it('[O5] a call parked while a reconciliation is looking at Asterisk is kept, not closed as lost', async () => {
    await start();
    let during = '';
    h.fake.beforeResponding(/^GET \/ari\/channels$/, async () => {
      during = await blindPark('103', '201', '7002');
    });
    const back = reconciled();
    h.fake.dropWebSocket(); // ari-client reconnects at once; the service reconciles
    await back;
    expect(parked(h).map((p) => p.caller)).toEqual([during]);
    expect(h.fake.deviceState('Stasis:park-acme-7002')).toBe('INUSE');
    await h.running.store.drained();
    const rows = await h.db.prisma.parkedCall.findMany();
    expect(rows.map((r) => [r.place, r.state])).toEqual([['7002', 'PARKED']]);
  }, 30_000);

  it('[O5][R7] a parked caller hangs up while the restarted service is reconciling: the park is closed, not adopted', async () => {
    await start();
    const caller = await blindPark('102', '101', '7001');
    await h.running.store.drained();
    await h.restartService(() => {
      // The new instance's channel list still has the caller; the hang-up reaches it first.
      h.fake.beforeResponding(/^GET \/ari\/channels$/, () => h.fake.hangup(caller));
    });
    expect(parked(h)).toEqual([]);
    await h.fake.waitFor(() => h.fake.deviceState('Stasis:park-acme-7001') === 'NOT_INUSE' && h.fake.deviceState('Stasis:park-acme') === 'NOT_INUSE');
    await h.running.store.drained();
    const row = await h.db.prisma.parkedCall.findFirstOrThrow();
    expect(row).toMatchObject({ state: 'ENDED', outcome: 'ABANDONED' });
  }, 30_000);

  it('[O5][R7] a parked caller hangs up once the restarted service has listed it in its bridge: the park is closed, not adopted', async () => {
    await start();
    const caller = await blindPark('102', '101', '7001');
    await h.running.store.drained();
    await h.restartService(() => {
      // Both lists (channels and bridges) still have the caller in the holding bridge.
      h.fake.beforeResponding(/^GET \/ari\/(channels|bridges)$/, () => h.fake.hangup(caller), 2);
    });
    expect(parked(h)).toEqual([]);
    await h.fake.waitFor(() => h.fake.deviceState('Stasis:park-acme-7001') === 'NOT_INUSE');
    await h.running.store.drained();
    expect(await h.db.prisma.parkedCall.findFirstOrThrow()).toMatchObject({ state: 'ENDED', outcome: 'ABANDONED' });
  }, 30_000);

  it('[O5][B1] a caller in the holding bridge with no record (its write lost in a crash) is parked again, recorded and listed', async () => {
    await start();
    const caller = await blindPark('102', '101', '7001');
    await h.running.store.drained();
    await h.restartService(async () => {
      await h.db.prisma.parkEvent.deleteMany();
      await h.db.prisma.parkedCall.deleteMany();
    });
    const [call] = parked(h);
    expect(call).toMatchObject({ caller, method: 'RECOVERED', state: 'PARKED' });
    expect(h.fake.bridgeOf(caller)?.bridge_type).toBe('holding');
    expect(h.fake.deviceState(`Stasis:park-acme-${call.place}`)).toBe('INUSE');
    await h.running.store.drained();
    expect(await h.db.prisma.parkedCall.findFirstOrThrow()).toMatchObject({ state: 'PARKED', method: 'RECOVERED', callerChannelId: caller });
    const res = await fetch(`${h.running.url}/api/v1/tenants/${h.tenantId}/parked-calls`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: Array<{ method: string }> }).items.map((c) => c.method)).toEqual(['RECOVERED']);
  }, 30_000);
});
