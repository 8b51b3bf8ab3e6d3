import { eventually, parked, playedTo, startHarness, type Harness, type HarnessOptions } from '../support/harness';

/**
 * Every way a phone parks and retrieves (issue 3), driven as users do it: phones dial codes,
 * transfer, hold, press DTMF, through the fake Asterisk running asterisk-conf's dialplan.
 */
describe('parking and retrieval', () => {
  let h: Harness;
  const start = async (opts: HarnessOptions = {}) => {
    h = await startHarness(opts);
  };
  afterEach(async () => {
    await h?.stop();
  });

  /** 102 (an outside caller) is talking to the receptionist 101. */
  function callToReceptionist() {
    const call = h.fake.call('102', '101');
    return { caller: call.callerChannelId, receptionist: call.calleeChannelId };
  }

  const parkedIn = (channelId: string, place: string) =>
    eventually(
      () => parked(h).some((p) => p.caller === channelId && p.place === place) && h.fake.bridgeOf(channelId)?.bridge_type === 'holding' && h.fake.mohOf(channelId) !== null,
      `${channelId} parked on ${place}, with music`,
    );

  async function blindPark(code: string) {
    const { caller, receptionist } = callToReceptionist();
    h.fake.blindTransfer(receptionist, code);
    return { caller, receptionist };
  }

  async function endedRow() {
    await eventually(() => parked(h).length === 0, 'the park to end');
    await h.running.store.drained();
    return h.db.prisma.parkedCall.findFirstOrThrow({ where: { state: 'ENDED' }, include: { events: { orderBy: { id: 'asc' } } } });
  }

  describe('ways to park', () => {
    beforeEach(() => start());

    it('[P5][P6][P3] attended transfer: the consult call hears where, then the caller replaces it', async () => {
      const { caller, receptionist } = callToReceptionist();
      h.fake.holdCall(receptionist);
      const consult = h.fake.dial('101', '*707001');
      await h.fake.waitFor(() => playedTo(h, consult).includes('digits:7001'));
      expect(h.fake.bridgeOf(consult)).toBeNull(); // kept out of bridges, so the transfer is clean
      h.fake.attendedTransfer(receptionist, consult);
      await parkedIn(caller, '7001');
      expect(parked(h)[0].method).toBe('ATTENDED_TRANSFER');
      await h.fake.waitFor(() => h.fake.deviceState('Stasis:park-acme-7001') === 'INUSE');
      expect(h.fake.hintState('7001@parking-acme')).not.toBe('NOT_INUSE');
    });

    it('[P5] attended transfer completed during the announcement: the announcement stops, the caller is parked', async () => {
      await h.stop();
      await start({ fake: { playbackMode: 'manual' } });
      const { caller, receptionist } = callToReceptionist();
      h.fake.holdCall(receptionist);
      const consult = h.fake.dial('101', '*707001');
      await h.fake.waitFor(() => h.fake.playbacks().some((p) => p.target_uri === `channel:${consult}` && p.state === 'playing'));
      const playback = h.fake.playbacks().find((p) => p.target_uri === `channel:${consult}`)!;
      h.fake.finishPlaybackItem(playback.id); // past the first words, into the digits, as a user would be
      h.fake.attendedTransfer(receptionist, consult);
      // The service stops the inherited announcement itself: a digits: item ends before it
      // stops (as on Asterisk); the caller is then bridged.
      await h.fake.waitFor(() => h.fake.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/playbacks/${playback.id}`)));
      h.fake.finishPlaybackItem(playback.id);
      await parkedIn(caller, '7001');
      expect(h.fake.playbacks().find((p) => p.id === playback.id)?.state).not.toBe('playing');
    });

    it('[P5] hold, dial the code on a second line, hang up: the held caller is pulled in', async () => {
      const { caller, receptionist } = callToReceptionist();
      h.fake.holdCall(receptionist);
      const consult = h.fake.dial('101', '*70333');
      await h.fake.waitFor(() => playedTo(h, consult).includes('digits:*71333'));
      h.fake.hangup(consult);
      await parkedIn(caller, '333');
      expect(parked(h)[0].method).toBe('HOLD_AND_DIAL');
      // The phone's held leg ended with its call.
      await h.fake.waitFor(() => h.fake.channel(receptionist) === undefined);
    });

    it('[P5] hold and dial, staying on the line: after a short grace the held caller is parked and the line released', async () => {
      const { caller, receptionist } = callToReceptionist();
      h.fake.holdCall(receptionist);
      const consult = h.fake.dial('101', '*707002');
      // The announcement ends; the grace timer is armed.
      await eventually(() => h.clock.pending > 0 && h.fake.playbacks().every((p) => p.state === 'done'), 'the announcement to end');
      h.clock.advance(4000);
      await parkedIn(caller, '7002');
      await h.fake.waitFor(() => h.fake.channel(consult) === undefined);
    });

    it('[P5][P3][R4] a BLF key pressed during a call parks on the slot; pressing it on another phone retrieves', async () => {
      const { caller } = await blindPark('7003');
      await parkedIn(caller, '7003');
      const retriever = h.fake.dial('202', '7003');
      await h.fake.waitFor(() => h.fake.bridgedWith(caller).includes(retriever));
      expect((await endedRow()).outcome).toBe('RETRIEVED');
    });

    it('[P2][R2] the park prefix alone takes the first free slot and tells the parker; *71 alone retrieves your own extension', async () => {
      const { caller } = await blindPark('*70');
      await parkedIn(caller, '7001');
      await h.fake.waitFor(() => h.fake.phone('101').messages.some((m) => m.body.includes('7001')));

      const second = await blindPark('*70201');
      await parkedIn(second.caller, '201');
      const mine = h.fake.dial('201', '*71');
      await h.fake.waitFor(() => h.fake.bridgedWith(second.caller).includes(mine));
      expect(h.fake.bridgeOf(caller)?.bridge_type).toBe('holding');
    });

    it('[B4] the extension a call is parked against gets a text message', async () => {
      const { caller } = await blindPark('*70333');
      await parkedIn(caller, '333');
      await h.fake.waitFor(() => h.fake.phone('333').messages.length === 1);
      expect(h.fake.phone('333').messages[0].body).toMatch(/parked for you by 101.*\*71333/);
    });
  });

  describe('random retrieval codes', () => {
    it('[P2][R3] the prefix alone parks on a random code retrieved as *71*<code>', async () => {
      await start({ seed: { tenant: { parkMode: 'RANDOM_CODE' } }, random: () => 7250 });
      const { caller } = await blindPark('*70');
      await parkedIn(caller, '*7250');
      await h.fake.waitFor(() => h.fake.phone('101').messages.some((m) => m.body.includes('*71*7250')));
      const retriever = h.fake.dial('103', '*71*7250');
      await h.fake.waitFor(() => h.fake.bridgedWith(caller).includes(retriever));
    });
  });

  describe('music', () => {
    it('[P7] the music comes back for the next caller after the lot was empty', async () => {
      await start();
      const a = await blindPark('7001');
      await parkedIn(a.caller, '7001');
      h.fake.hangup(a.caller);
      await eventually(() => parked(h).length === 0, 'lot empty');
      const b = await blindPark('7002');
      await parkedIn(b.caller, '7002');
      await h.fake.waitFor(() => h.fake.mohOf(b.caller) === 'default');
    });

    it('[P7] parked callers hear the tenant class, or the slot override', async () => {
      await start({ seed: { tenant: { musicClass: 'office' }, slots: [{ number: '7001' }, { number: '7002', musicClass: 'jazz' }] } });
      const a = await blindPark('7001');
      await parkedIn(a.caller, '7001');
      expect(h.fake.mohOf(a.caller)).toBe('office');
      const b = await blindPark('7002');
      await parkedIn(b.caller, '7002');
      expect(h.fake.mohOf(b.caller)).toBe('jazz');
    });
  });

  describe('nothing dropped', () => {
    it('[P8][P3] a blind transfer to an occupied slot rings the parker back, marked, and never drops the caller', async () => {
      await start();
      const first = await blindPark('7001');
      await parkedIn(first.caller, '7001');
      const second = h.fake.call('103', '201');
      h.fake.blindTransfer(second.calleeChannelId, '7001');
      // 201's phone rings with the caller, marked as not parked; it answers (default phone behaviour).
      await h.fake.waitFor(() => h.fake.phone('201').invites.some((i) => i.callerId.name.startsWith('Not parked')));
      await h.fake.waitFor(() => h.fake.bridgedWith(second.callerChannelId).length === 1);
      expect(parked(h)).toHaveLength(1);
      expect(h.events.some((e) => e.type === 'park_failed' && e.data.reason === 'slot-occupied')).toBe(true);
    });

    it('[P3] under the next-free policy, an occupied slot parks on the next free one', async () => {
      await start({ seed: { tenant: { occupiedSlotPolicy: 'NEXT_FREE' } } });
      const first = await blindPark('7001');
      await parkedIn(first.caller, '7001');
      const second = await blindPark('7001');
      await parkedIn(second.caller, '7002');
    });

    it('[P8][P2] a full lot: the parker hears why and keeps the held call', async () => {
      await start({ seed: { slots: [{ number: '7001' }] } });
      const first = await blindPark('7001');
      await parkedIn(first.caller, '7001');
      const call = h.fake.call('102', '202');
      h.fake.holdCall(call.calleeChannelId);
      const consult = h.fake.dial('202', '*70');
      await h.fake.waitFor(() => h.fake.channel(consult) === undefined);
      expect(playedTo(h, consult)).toContain('sound:pbx-parkingfailed');
      expect(h.fake.bridgedWith(call.calleeChannelId)).toEqual([call.callerChannelId]);
      expect(parked(h)).toHaveLength(1);
    });

    it('[P8] an unknown code is refused with a spoken error, and a blind-transferred caller goes back to the parker', async () => {
      await start();
      const dialler = h.fake.dial('101', '*70999');
      await h.fake.waitFor(() => h.fake.channel(dialler) === undefined);
      expect(playedTo(h, dialler)).toContain('sound:pbx-invalid');

      const { caller } = await blindPark('*71333');
      await h.fake.waitFor(() => h.fake.bridgedWith(caller).length === 1);
      expect(h.fake.phone('101').invites.at(-1)!.callerId.name).toMatch(/^Not parked/);
    });

    it('[P8] a phone the service does not know is refused with a prompt', async () => {
      await start();
      h.fake.addPhone({ number: '999', context: 'from-acme' });
      const stranger = h.fake.dial('999', '*71333');
      await h.fake.waitFor(() => h.fake.channel(stranger) === undefined);
      expect(playedTo(h, stranger)).toContain('sound:ss-noservice');
    });

    it('[P8] the caller hangs up while the parker hears the announcement: nothing stays reserved', async () => {
      await start({ fake: { playbackMode: 'manual' } });
      const { caller, receptionist } = callToReceptionist();
      h.fake.holdCall(receptionist);
      const consult = h.fake.dial('101', '*707001');
      await h.fake.waitFor(() => h.fake.playbacks().some((p) => p.target_uri === `channel:${consult}`));
      h.fake.hangup(caller);
      h.fake.hangup(consult);
      await eventually(() => !h.running.service.ctx.lots.isTaken(h.tenantId, '7001'), '7001 to be free');
      expect(parked(h)).toHaveLength(0);
      expect(await h.db.prisma.parkedCall.count()).toBe(0);
    });
  });

  describe('access and PINs', () => {
    const seed = { slots: [{ number: '7001', parkAllow: ['101'] }, { number: '7002', retrieveAllow: ['202'], pin: '1234' }, { number: '7003', retrieveAllow: ['202'] }] };
    beforeEach(() => start({ seed }));

    /** Types the PIN once the `promptNumber`th PIN prompt plays ("enter your password", then "incorrect, enter..."). */
    async function enterPin(channelId: string, pin: string, promptNumber: number) {
      await h.fake.waitFor(() => playedTo(h, channelId).filter((m) => m === 'sound:agent-pass' || m === 'sound:auth-incorrect').length === promptNumber);
      h.fake.sendDtmf(channelId, `${pin}#`);
    }

    it('[R6] a retriever not on the list gives the PIN and gets the call', async () => {
      const { caller } = await blindPark('7002');
      await parkedIn(caller, '7002');
      const retriever = h.fake.dial('201', '7002');
      await enterPin(retriever, '1234', 1);
      await h.fake.waitFor(() => h.fake.bridgedWith(caller).includes(retriever));
    });

    it('[R6] a wrong PIN three times: refused, and the caller stays parked', async () => {
      const { caller } = await blindPark('7002');
      await parkedIn(caller, '7002');
      const retriever = h.fake.dial('201', '7002');
      await enterPin(retriever, '9999', 1);
      await enterPin(retriever, '0000', 2);
      await enterPin(retriever, '1111', 3);
      await h.fake.waitFor(() => h.fake.channel(retriever) === undefined);
      expect(playedTo(h, retriever).filter((m) => m === 'sound:auth-incorrect')).toHaveLength(2);
      expect(parked(h)).toEqual([expect.objectContaining({ place: '7002', state: 'PARKED' })]);
      expect(h.fake.bridgeOf(caller)?.bridge_type).toBe('holding');
      await h.running.store.drained();
      const events = await h.db.prisma.parkEvent.findMany();
      expect(events.map((e) => e.type)).toContain('retrieve_refused');
      const stored = await h.db.prisma.parkSlot.findFirstOrThrow({ where: { number: '7002' } });
      expect(stored.pinHash).not.toContain('1234');
    });

    it('[R6] no PIN asked of a listed retriever; a slot without a PIN refuses the unlisted', async () => {
      const { caller } = await blindPark('7003');
      await parkedIn(caller, '7003');
      const stranger = h.fake.dial('201', '7003');
      await h.fake.waitFor(() => h.fake.channel(stranger) === undefined);
      expect(playedTo(h, stranger)).toContain('sound:ss-noservice');
      const listed = h.fake.dial('202', '7003');
      await h.fake.waitFor(() => h.fake.bridgedWith(caller).includes(listed));
    });

    it('[R6][P8] a phone not on the park list is refused and the caller returns to it', async () => {
      const call = h.fake.call('103', '201');
      h.fake.blindTransfer(call.calleeChannelId, '7001');
      await h.fake.waitFor(() => h.fake.bridgedWith(call.callerChannelId).length === 1);
      expect(parked(h)).toHaveLength(0);
      expect(h.events.find((e) => e.type === 'park_failed')?.data.reason).toBe('not-allowed');
    });

    it('[R6][R7] a retriever who hangs up while typing the PIN leaves the caller parked', async () => {
      const { caller } = await blindPark('7002');
      await parkedIn(caller, '7002');
      const retriever = h.fake.dial('201', '7002');
      await h.fake.waitFor(() => playedTo(h, retriever).includes('sound:agent-pass'));
      h.fake.sendDtmf(retriever, '12');
      h.fake.hangup(retriever);
      await h.fake.waitFor(() => h.fake.channel(retriever) === undefined);
      await eventually(() => parked(h)[0]?.state === 'PARKED', 'the caller back in PARKED');
      expect(h.fake.bridgeOf(caller)?.bridge_type).toBe('holding');
    });
  });

  describe('exactly once', () => {
    beforeEach(() => start());

    it('[R7] two retrievers at the same moment: one gets the call, the other hears "no call parked"', async () => {
      const { caller } = await blindPark('7001');
      await parkedIn(caller, '7001');
      const a = h.fake.dial('201', '7001');
      const b = h.fake.dial('202', '7001');
      await h.fake.waitFor(() => h.fake.bridgedWith(caller).length === 1);
      const winner = h.fake.bridgedWith(caller)[0];
      const loser = winner === a ? b : a;
      await h.fake.waitFor(() => h.fake.channel(loser) === undefined);
      expect(playedTo(h, loser)).toContain('sound:pbx-invalidpark');
      const row = await endedRow();
      expect(row.events.map((e) => e.type)).toEqual(['parked', 'retrieved']);
    });

    // Asterisk's events can overtake its answer to our request: the hang-up is heard first.
    const whileConnecting = (hangUp: () => void) => h.fake.beforeResponding(/^POST \/ari\/bridges\/connect-[^/]+\/addChannel/, hangUp);

    it('[R7] the caller hangs up just as a retriever is connected: the retriever is hung up, the park closed once as abandoned', async () => {
      const { caller } = await blindPark('7001');
      await parkedIn(caller, '7001');
      whileConnecting(() => h.fake.hangup(caller));
      const retriever = h.fake.dial('201', '7001');
      await h.fake.waitFor(() => h.fake.channel(retriever) === undefined);
      const row = await endedRow();
      expect(row).toMatchObject({ outcome: 'ABANDONED' });
      expect(row.events.map((e) => e.type)).toEqual(['parked', 'abandoned']);
      await h.fake.waitFor(() => !h.fake.bridges().some((b) => b.id.startsWith('connect-')));
      expect(h.fake.deviceState('Stasis:park-acme-7001')).toBe('NOT_INUSE');
    });

    it('[R7] the retriever hangs up just as it is connected: the caller goes back to the lot, with music, still parked', async () => {
      const { caller } = await blindPark('7001');
      await parkedIn(caller, '7001');
      const retriever = h.fake.dial('201', '7001');
      whileConnecting(() => h.fake.hangup(retriever));
      await h.fake.waitFor(() => h.fake.channel(retriever) === undefined);
      await parkedIn(caller, '7001');
      // Back in the lot's bridge (whose music may still be on) before the service marks it PARKED.
      await eventually(() => parked(h)[0]?.state === 'PARKED', 'the caller PARKED again');
      await h.fake.waitFor(() => !h.fake.bridges().some((b) => b.id.startsWith('connect-')));
      expect(h.fake.deviceState('Stasis:park-acme-7001')).toBe('INUSE');
      // And it can still be retrieved.
      const next = h.fake.dial('202', '7001');
      await h.fake.waitFor(() => h.fake.bridgedWith(caller).includes(next));
      const row = await endedRow();
      expect(row.events.map((e) => e.type)).toEqual(['parked', 'retrieved']);
    });
  });
});
