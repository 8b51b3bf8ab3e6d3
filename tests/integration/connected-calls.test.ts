import { eventually, parked, playedTo, startHarness, type Harness } from '../support/harness';

/**
 * Issue 19: a call the service connected (a retrieval, an answered recall) is an ordinary call.
 * Either side can transfer it (blind, attended, hold + dial) to a park code, a slot or a phone,
 * and the other side is never dropped. Out of the service's Stasis bridge, Asterisk puts a
 * Local channel in the transferer's place; the caller, not that Local channel, is parked.
 */
describe('a connected call is an ordinary call', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h?.stop();
  });

  const live = () => h.running.service.ctx.lots.all();
  const locals = () => h.fake.channels().filter((c) => c.name.startsWith('Local/'));

  /** 102 calls 101, who parks it on *70202; 201 picks it up with *71202 and talks. */
  async function retrievedBy201() {
    const first = h.fake.call('102', '101');
    h.fake.blindTransfer(first.calleeChannelId, '*70202');
    await eventually(() => live().some((c) => c.placeKey === '202'), 'parked on 202');
    const retriever = h.fake.dial('201', '*71202');
    await h.fake.waitFor(() => h.fake.bridgedWith(first.callerChannelId).includes(retriever));
    await eventually(() => live().length === 0, 'the first park to end');
    return { caller: first.callerChannelId, retriever };
  }

  async function parkedAgainOn(caller: string, place: string) {
    await eventually(
      () => live().some((c) => c.callerChannelId === caller && c.placeKey === place && c.state === 'PARKED') && h.fake.bridgeOf(caller)?.bridge_type === 'holding' && h.fake.mohOf(caller) !== null,
      `${caller} parked on ${place}, with music`,
    );
    const call = live().find((c) => c.callerChannelId === caller)!;
    // Recorded and published by the service (Asterisk's bridge changes before its answer does).
    await eventually(() => h.events.some((e) => e.type === 'parked' && e.parkedCallId === call.id), 'the park recorded');
    return call;
  }

  async function rows() {
    await h.running.store.drained();
    return h.db.prisma.parkedCall.findMany({ orderBy: { parkedAt: 'asc' }, include: { events: { orderBy: { id: 'asc' } } } });
  }

  it('[P5][P3] 201 retrieves, then blind-transfers the caller to slot 7003: the caller is parked there by 201, and its recall rings 201', async () => {
    const { caller, retriever } = await retrievedBy201();
    h.fake.blindTransfer(retriever, '7003');
    const call = await parkedAgainOn(caller, '7003');
    expect(call).toMatchObject({ callerNumber: '102', method: 'BLIND_TRANSFER', parker: { extension: '201', endpoint: 'PJSIP/201' } });
    // Nothing of the transfer is left: the Local pair and 201's phone are gone, the caller is not.
    await h.fake.waitFor(() => locals().length === 0 && h.fake.channel(retriever) === undefined);
    expect(h.fake.channel(caller)).toBeDefined();
    await h.fake.waitFor(() => h.fake.deviceState('Stasis:park-acme-7003') === 'INUSE');
    // The parker was gone before the park: told by text message.
    await h.fake.waitFor(() => h.fake.phone('201').messages.some((m) => m.body.includes('7003')));

    const [first, second] = await rows();
    expect(first).toMatchObject({ place: '202', state: 'ENDED', outcome: 'RETRIEVED', parkerExtension: '101', retrievedBy: '201' });
    expect(first.events.find((e) => e.type === 'retrieved')?.details).toMatchObject({ by: '201' });
    expect(second).toMatchObject({ place: '7003', state: 'PARKED', parkerExtension: '201', callerNumber: '102', method: 'BLIND_TRANSFER' });

    h.clock.advance(120_000);
    await h.fake.waitFor(() => h.fake.phone('201').invites.some((i) => i.channelId.startsWith('recall-')));
    expect(h.fake.phone('101').invites.filter((i) => i.channelId.startsWith('recall-'))).toHaveLength(0);
  });

  it('[P5] 201 retrieves, then attended-transfers the caller to *707002: the consult hears where, the caller is parked by 201', async () => {
    const { caller, retriever } = await retrievedBy201();
    h.fake.holdCall(retriever);
    const consult = h.fake.dial('201', '*707002');
    await h.fake.waitFor(() => playedTo(h, consult).includes('digits:7002'));
    h.fake.attendedTransfer(retriever, consult);
    const call = await parkedAgainOn(caller, '7002');
    expect(call).toMatchObject({ callerNumber: '102', method: 'ATTENDED_TRANSFER', parker: { extension: '201' } });
    await h.fake.waitFor(() => locals().length === 0 && h.fake.channel(retriever) === undefined);
    expect(h.fake.channel(caller)).toBeDefined();
    const [, second] = await rows();
    expect(second).toMatchObject({ place: '7002', parkerExtension: '201', callerNumber: '102', method: 'ATTENDED_TRANSFER' });
  });

  it('[P5] 201 retrieves, holds the caller, dials *70333 on a second line and hangs up: the caller is parked by 201', async () => {
    const { caller, retriever } = await retrievedBy201();
    h.fake.holdCall(retriever);
    const consult = h.fake.dial('201', '*70333');
    await h.fake.waitFor(() => playedTo(h, consult).includes('digits:*71333'));
    h.fake.hangup(consult);
    const call = await parkedAgainOn(caller, '333');
    expect(call).toMatchObject({ callerNumber: '102', method: 'HOLD_AND_DIAL', parker: { extension: '201' } });
    // The held leg ended with its call, as on any phone.
    await h.fake.waitFor(() => h.fake.channel(retriever) === undefined);
    expect(h.fake.channel(caller)).toBeDefined();
  });

  it('[P5] the caller side transfers too: 102 blind-transfers 201 to *70333, and 201 is parked by 102', async () => {
    const { caller, retriever } = await retrievedBy201();
    h.fake.blindTransfer(caller, '*70333');
    const call = await parkedAgainOn(retriever, '333');
    expect(call).toMatchObject({ callerNumber: '201', parker: { extension: '102' } });
    await h.fake.waitFor(() => locals().length === 0 && h.fake.channel(caller) === undefined);
  });

  it('[C1] an answered recall, then the parker blind-transfers the caller to 202: they talk, and either hanging up ends the call', async () => {
    const first = h.fake.call('102', '101');
    h.fake.blindTransfer(first.calleeChannelId, '*70333');
    await eventually(() => live().length === 1 && h.fake.deviceState('Stasis:park-acme-333') === 'INUSE', 'parked, recall armed');
    h.clock.advance(120_000);
    await h.fake.waitFor(() => h.fake.bridgedWith(first.callerChannelId).some((id) => id.startsWith('recall-')));
    const recall = h.fake.bridgedWith(first.callerChannelId)[0];
    await eventually(() => live().length === 0, 'the recall answered');

    h.fake.blindTransfer(recall, '202');
    await h.fake.waitFor(() => h.fake.talksTo(first.callerChannelId).some((id) => h.fake.channel(id)?.name.startsWith('PJSIP/202-')));
    await h.fake.waitFor(() => h.fake.channel(recall) === undefined);
    expect(h.fake.channel(first.callerChannelId)).toBeDefined();
    expect(live()).toHaveLength(0);

    const callee = h.fake.talksTo(first.callerChannelId)[0];
    h.fake.hangup(callee);
    await h.fake.waitFor(() => h.fake.channel(first.callerChannelId) === undefined && locals().length === 0);
  });

  it('[R1] 201 retrieves, then attended-transfers the caller to 202 after talking to 202: the caller talks to 202', async () => {
    const { caller, retriever } = await retrievedBy201();
    h.fake.holdCall(retriever);
    const consult = h.fake.call('201', '202');
    h.fake.attendedTransfer(retriever, consult.callerChannelId);
    await h.fake.waitFor(() => h.fake.talksTo(caller).includes(consult.calleeChannelId));
    await h.fake.waitFor(() => h.fake.channel(retriever) === undefined && h.fake.channel(consult.callerChannelId) === undefined);
    expect(h.fake.channel(caller)).toBeDefined();
    expect(h.fake.talksTo(caller)).toEqual([consult.calleeChannelId]);
    // 102 hangs up: the call ends for 202 too, and nothing is left behind.
    h.fake.hangup(caller);
    await h.fake.waitFor(() => h.fake.channel(consult.calleeChannelId) === undefined && locals().length === 0);
    expect(live()).toHaveLength(0);
  });

  it('[R7] a retrieved call: the retriever hanging up ends it for the caller (and the other way round)', async () => {
    const a = await retrievedBy201();
    h.fake.hangup(a.retriever);
    await h.fake.waitFor(() => h.fake.channel(a.caller) === undefined);
    expect(h.running.service.ctx.connected.size).toBe(0);
  });
});
