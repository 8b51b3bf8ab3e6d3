import { eventually, parked, playedTo, startHarness, type Harness, type HarnessOptions } from '../support/harness';

/**
 * Recall (issue 4): a forgotten parked call rings back, through every option and failure,
 * on a manual clock (no sleeps). 102 calls the receptionist 101, who parks it on 333.
 */
describe('recall', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  async function start(opts: HarnessOptions & { huntGroup?: { extensions?: string[]; destination?: string } } = {}) {
    h = await startHarness(opts);
    if (opts.huntGroup) {
      const hunt = await h.db.prisma.huntGroup.create({
        data: { tenantId: h.tenantId, name: 'Operators', extensions: opts.huntGroup.extensions ?? [], destination: opts.huntGroup.destination ?? null, ringSec: 40 },
      });
      await h.db.prisma.tenant.update({ where: { id: h.tenantId }, data: { huntGroupId: hunt.id } });
      await h.reloadDialplan();
    }
  }

  async function park(): Promise<string> {
    const call = h.fake.call('102', '101');
    h.fake.blindTransfer(call.calleeChannelId, '*70333');
    await eventually(() => parked(h).length === 1 && h.fake.deviceState('Stasis:park-acme-333') === 'INUSE', 'parked');
    await h.fake.waitFor(() => h.fake.channel(call.calleeChannelId) === undefined);
    return call.callerChannelId;
  }

  const invitesTo = (phone: string) => h.fake.phone(phone).invites;
  const ringBacksTo = (phone: string) => invitesTo(phone).filter((i) => i.channelId.startsWith('recall-'));
  const eventTypes = () => h.events.map((e) => e.type);

  async function row() {
    await eventually(() => parked(h).length === 0, 'the park to end');
    await h.running.store.drained();
    return h.db.prisma.parkedCall.findFirstOrThrow({ include: { events: { orderBy: { id: 'asc' } } } });
  }

  it('[C1][P7] rings the parker after the recall timer, marked and with Alert-Info; answering connects the caller', async () => {
    await start({ seed: { tenant: { recallAlertInfo: '<http://127.0.0.1/Bellcore-dr2>' } } });
    const caller = await park();
    h.clock.advance(119_000);
    expect(ringBacksTo('101')).toHaveLength(0);
    h.clock.advance(1_000);
    await h.fake.waitFor(() => h.fake.bridgedWith(caller).length === 1);
    const invite = ringBacksTo('101')[0];
    expect(invite.callerId.name).toBe('Park 333: Phone 102');
    expect(invite.headers['Alert-Info']).toBe('<http://127.0.0.1/Bellcore-dr2>');
    expect(h.fake.bridgedWith(caller)).toEqual([invite.channelId]);
    await eventually(() => parked(h).length === 0, 'park closed');
    expect((await row()).outcome).toBe('RECALL_ANSWERED');
    expect(eventTypes()).toEqual(expect.arrayContaining(['parked', 'recall_started', 'recall_answered']));
    expect(h.fake.deviceState('Stasis:park-acme-333')).toBe('NOT_INUSE');
  });

  it('[C1][C2][C3] no answer: the call stays parked, lit and in music, and the parker is rung again after the retry time', async () => {
    await start();
    h.fake.setPhoneBehavior('101', 'manual');
    const caller = await park();
    h.clock.advance(120_000);
    await h.fake.waitFor(() => ringBacksTo('101').length === 1);
    expect(h.fake.bridgeOf(caller)?.bridge_type).toBe('holding');
    expect(h.fake.mohOf(caller)).toBe('default');
    expect(h.fake.deviceState('Stasis:park-acme-333')).toBe('INUSE');
    h.fake.expireRinging(ringBacksTo('101')[0].channelId);
    await eventually(() => eventTypes().includes('recall_failed'), 'recall_failed');
    h.clock.advance(9_000);
    expect(ringBacksTo('101')).toHaveLength(1);
    h.clock.advance(1_000);
    await h.fake.waitFor(() => ringBacksTo('101').length === 2);
    h.fake.answer(ringBacksTo('101')[1].channelId);
    await h.fake.waitFor(() => h.fake.bridgedWith(caller).length === 1);
  });

  it('[C4] a busy parker is not rung (no call waiting, no voicemail): the next retry is scheduled', async () => {
    await start();
    const caller = await park();
    h.fake.call('101', '202'); // the parker is on another call
    h.clock.advance(120_000);
    await eventually(() => h.events.some((e) => e.type === 'recall_failed' && e.data.reason === 'busy-or-unreachable'), 'busy detected');
    expect(ringBacksTo('101')).toHaveLength(0);
    expect(parked(h)[0].state).toBe('PARKED');
    expect(h.fake.bridgeOf(caller)?.bridge_type).toBe('holding');
  });

  it('[C4] a parker who rejects as busy (486), or whose phone is unreachable, does not swallow the call', async () => {
    await start();
    h.fake.setPhoneBehavior('101', 'busy');
    const caller = await park();
    h.clock.advance(120_000);
    await eventually(() => eventTypes().includes('recall_failed'), 'recall_failed');
    h.fake.setPhoneBehavior('101', 'unreachable');
    h.clock.advance(10_000);
    await eventually(() => eventTypes().filter((t) => t === 'recall_failed').length === 2, 'second recall_failed');
    expect(h.fake.channel(caller)?.state).toBe('Up');
    expect(parked(h)).toHaveLength(1);
  });

  it('[C2] parker first, then the hunt group after the hunt-group wait; the first to answer gets the call', async () => {
    await start({ seed: { tenant: { recallOption: 'PARKER_THEN_HUNT_GROUP', huntGroupWaitSec: 30 } }, huntGroup: { extensions: ['201', '202'] } });
    for (const phone of ['101', '201', '202']) h.fake.setPhoneBehavior(phone, 'manual');
    const caller = await park();
    h.clock.advance(120_000);
    await h.fake.waitFor(() => ringBacksTo('101').length === 1);
    h.fake.expireRinging(ringBacksTo('101')[0].channelId);
    await h.fake.waitFor(() => ringBacksTo('201').length === 1 && ringBacksTo('202').length === 1);
    expect(eventTypes()).toContain('returned_to_hunt_group');
    h.fake.answer(ringBacksTo('202')[0].channelId);
    await h.fake.waitFor(() => h.fake.bridgedWith(caller).includes(ringBacksTo('202')[0].channelId));
    await h.fake.waitFor(() => h.fake.channel(ringBacksTo('201')[0].channelId) === undefined);
    expect((await row()).outcome).toBe('HUNT_GROUP');
  });

  it('[C2] hunt group only, as a dialplan destination: the call leaves parking for it', async () => {
    await start({ seed: { tenant: { recallOption: 'HUNT_GROUP_ONLY' } }, huntGroup: { destination: 'from-acme,201,1' } });
    h.fake.setPhoneBehavior('201', 'manual');
    const caller = await park();
    h.clock.advance(120_000);
    await h.fake.waitFor(() => invitesTo('201').length === 1);
    expect(ringBacksTo('101')).toHaveLength(0);
    await eventually(() => parked(h).length === 0, 'park closed');
    expect((await row()).outcome).toBe('HUNT_GROUP');
    expect(h.fake.channel(caller)?.state).toBe('Up');
  });

  it('[C3][R7] a retrieval while it rings back wins and cancels the ring-back as answered elsewhere', async () => {
    await start();
    h.fake.setPhoneBehavior('101', 'manual');
    const caller = await park();
    h.clock.advance(120_000);
    await h.fake.waitFor(() => ringBacksTo('101').length === 1);
    const ring = ringBacksTo('101')[0].channelId;
    const retriever = h.fake.dial('201', '*71333');
    await h.fake.waitFor(() => h.fake.bridgedWith(caller).includes(retriever));
    await h.fake.waitFor(() => h.fake.channel(ring) === undefined);
    const destroyed = h.fake.eventsOf('ChannelDestroyed').find((e) => (e.channel as { id: string }).id === ring);
    expect(destroyed?.cause).toBe(26); // answered elsewhere
    expect((await row()).outcome).toBe('RETRIEVED');
  });

  it('[C3] the caller hangs up during the ring-back: the ring-back stops and the park is closed as abandoned', async () => {
    await start();
    h.fake.setPhoneBehavior('101', 'manual');
    const caller = await park();
    h.clock.advance(120_000);
    await h.fake.waitFor(() => ringBacksTo('101').length === 1);
    h.fake.hangup(caller);
    await h.fake.waitFor(() => h.fake.channel(ringBacksTo('101')[0].channelId) === undefined);
    expect((await row()).outcome).toBe('ABANDONED');
  });

  it('[C5] the maximum park time ends the cycle with a polite goodbye', async () => {
    await start({ seed: { tenant: { maxParkTimeSec: 300 } } });
    const caller = await park();
    h.fake.setPhoneBehavior('101', 'unreachable');
    h.clock.advance(300_000);
    await h.fake.waitFor(() => h.fake.channel(caller) === undefined);
    expect(playedTo(h, caller)).toEqual([]); // the goodbye is the dialplan's Playback, not ours
    expect((await row()).outcome).toBe('TIMED_OUT');
    expect(eventTypes()).toContain('timed_out');
  });

  it('[C5] the maximum park time sends the call to the final destination', async () => {
    await start({ seed: { tenant: { maxParkTimeSec: 300, finalDestination: 'from-acme,202,1' } } });
    h.fake.setPhoneBehavior('202', 'manual');
    await park();
    h.fake.setPhoneBehavior('101', 'unreachable');
    h.clock.advance(300_000);
    await h.fake.waitFor(() => invitesTo('202').length === 1);
    expect((await row()).outcome).toBe('TIMED_OUT');
  });

  it('[C6] a call parked by an unknown transferer recalls to the fallback extension', async () => {
    await start({ seed: { tenant: { fallbackExtension: '201' } } });
    h.fake.addPhone({ number: '399', context: 'from-acme' }); // a phone the service does not know
    const call = h.fake.call('102', '399');
    h.fake.blindTransfer(call.calleeChannelId, '*70333');
    await eventually(() => parked(h).length === 1 && h.fake.deviceState('Stasis:park-acme-333') === 'INUSE', 'parked');
    h.clock.advance(120_000);
    await h.fake.waitFor(() => ringBacksTo('201').length === 1);
  });

  it('[C1][O5] the service restarts while a call is parked: the deadline holds', async () => {
    await start();
    const caller = await park();
    h.clock.advance(60_000);
    await h.restartService();
    expect(parked(h)).toHaveLength(1);
    h.clock.advance(59_000);
    expect(ringBacksTo('101')).toHaveLength(0);
    h.clock.advance(1_000);
    await h.fake.waitFor(() => h.fake.bridgedWith(caller).length === 1);
  });

  it('[C1][O5] the service restarts while it rings back: the ring-back is replaced and the call still comes back', async () => {
    await start();
    h.fake.setPhoneBehavior('101', 'manual');
    const caller = await park();
    h.clock.advance(120_000);
    await h.fake.waitFor(() => ringBacksTo('101').length === 1);
    await h.restartService();
    await h.fake.waitFor(() => h.fake.channel(ringBacksTo('101')[0].channelId) === undefined);
    h.clock.advance(30_000);
    await h.fake.waitFor(() => ringBacksTo('101').length === 2);
    h.fake.answer(ringBacksTo('101')[1].channelId);
    await h.fake.waitFor(() => h.fake.bridgedWith(caller).length === 1);
  });
});
