import { playedTo, startHarness, type Harness } from '../support/harness';

/** The first end-to-end slice: park by blind transfer, retrieve by code, nothing parked, caller hangs up. */
describe('park and retrieve through the fake Asterisk', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  async function parkByBlindTransfer(): Promise<{ parker: string; caller: string }> {
    const call = h.fake.call('101', '102');
    h.fake.blindTransfer(call.callerChannelId, '*70333');
    // Parked: in the lot's holding bridge, and the place's lamp lit.
    await h.fake.waitFor(
      () => h.fake.bridgeOf(call.calleeChannelId)?.id === 'parking-acme-default' && h.fake.deviceState('Stasis:park-acme-333') === 'INUSE',
    );
    await h.running.store.drained();
    return { parker: call.callerChannelId, caller: call.calleeChannelId };
  }

  it('[P1][P5][P6][P7][B1][A6] parks against an extension by blind transfer', async () => {
    const { parker, caller } = await parkByBlindTransfer();

    // The caller waits in the tenant's holding bridge with music; the transferer is gone.
    const bridge = h.fake.bridgeOf(caller)!;
    expect(bridge.bridge_type).toBe('holding');
    expect(h.fake.mohOf(caller)).toBe('default');
    await h.fake.waitFor(() => h.fake.channel(parker) === undefined);
    // The lamp of place 333 and the tenant's lot lamp are lit.
    expect(h.fake.deviceState('Stasis:park-acme-333')).toBe('INUSE');
    expect(h.fake.deviceState('Stasis:park-acme')).toBe('INUSE');
    // The blind transferer is told by text message where the call went.
    await h.fake.waitFor(() => h.fake.phone('101').messages.length === 1);
    expect(h.fake.phone('101').messages[0].body).toContain('*71333');

    const row = await h.db.prisma.parkedCall.findFirstOrThrow({ include: { events: true } });
    expect(row).toMatchObject({ place: '333', placeKind: 'EXTENSION', state: 'PARKED', method: 'BLIND_TRANSFER', parkerExtension: '101', callerChannelId: caller });
    expect(row.events.map((e) => e.type)).toEqual(['parked']);
    expect(h.events.map((e) => e.type)).toContain('parked');
  });

  it('[R1][A6] another phone retrieves with the retrieve prefix and the extension', async () => {
    const { caller } = await parkByBlindTransfer();

    const retriever = h.fake.dial('201', '*71333');
    await h.fake.waitFor(() => h.fake.bridgedWith(caller).includes(retriever));
    expect(h.fake.bridgeOf(caller)!.bridge_type).toBe('mixing');
    expect(h.fake.mohOf(caller)).toBeNull();
    expect(h.fake.channel(retriever)!.state).toBe('Up');
    await h.fake.waitFor(() => h.fake.deviceState('Stasis:park-acme-333') === 'NOT_INUSE' && h.fake.deviceState('Stasis:park-acme') === 'NOT_INUSE');

    await h.running.store.drained();
    const row = await h.db.prisma.parkedCall.findFirstOrThrow({ include: { events: { orderBy: { at: 'asc' } } } });
    expect(row).toMatchObject({ state: 'ENDED', outcome: 'RETRIEVED', retrievedBy: '201' });
    expect(row.events.map((e) => e.type)).toEqual(['parked', 'retrieved']);

    // Either side hanging up ends the other.
    h.fake.hangup(retriever);
    await h.fake.waitFor(() => h.fake.channel(caller) === undefined);
  });

  it('[R1] with nothing parked there, the retriever hears "no call parked" and is hung up', async () => {
    const retriever = h.fake.dial('201', '*71333');
    await h.fake.waitFor(() => h.fake.channel(retriever) === undefined);
    expect(playedTo(h, retriever)).toContain('sound:pbx-invalidpark');
    expect(await h.db.prisma.parkedCall.count()).toBe(0);
  });

  it('[R7][B1][A6] a parked caller hanging up frees the place at once', async () => {
    const { caller } = await parkByBlindTransfer();
    h.fake.hangup(caller);
    await h.fake.waitFor(() => h.fake.deviceState('Stasis:park-acme-333') === 'NOT_INUSE');
    expect(h.running.service.ctx.lots.all()).toHaveLength(0);
    await h.running.store.drained();
    const row = await h.db.prisma.parkedCall.findFirstOrThrow({ include: { events: true } });
    expect(row).toMatchObject({ state: 'ENDED', outcome: 'ABANDONED' });
    expect(h.events.map((e) => e.type)).toEqual(expect.arrayContaining(['parked', 'abandoned']));

    // The place can be used again.
    await parkByBlindTransfer();
    expect(h.running.service.ctx.lots.all()).toHaveLength(1);
  });
});
