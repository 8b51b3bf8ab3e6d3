import { prompts, promptSounds } from '../../apps/parking/src/usecases/prompts';
import { eventually, parked, startHarness, type Harness, type HarnessOptions } from '../support/harness';

/**
 * Defects found on a real Asterisk 22.10.1 by an acceptance run (issue 13), each caught here by
 * the fake Asterisk: what a person hears (the exact media, each of which must exist in the core
 * sounds) and what the history says.
 */
describe('issue 13: what people hear and what history says', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const start = async (opts: HarnessOptions = {}) => {
    h = await startHarness(opts);
  };

  /** The media a channel was played, minus the sound files Asterisk did not have (silence). */
  const heard = (channelId: string) =>
    h.fake
      .playbacks()
      .filter((p) => p.target_uri === `channel:${channelId}`)
      .flatMap((p) => p.medias.filter((m) => !p.missing.includes(m)));
  const played = (channelId: string) => h.fake.playbacks().filter((p) => p.target_uri === `channel:${channelId}`).flatMap((p) => p.medias);

  /** 102 calls 101, who blind-transfers the call to *70333; resolves when 101's leg is gone. */
  async function blindPark(): Promise<string> {
    const call = h.fake.call('102', '101');
    h.fake.blindTransfer(call.calleeChannelId, '*70333');
    // The lamp is lit after the recall is armed.
    await eventually(() => parked(h).length === 1 && h.fake.deviceState('Stasis:park-acme-333') === 'INUSE', 'parked');
    await h.fake.waitFor(() => h.fake.channel(call.calleeChannelId) === undefined);
    return call.callerChannelId;
  }

  async function timeline() {
    await eventually(() => parked(h).length === 0, 'the park to end');
    await h.running.store.drained();
    const row = await h.db.prisma.parkedCall.findFirstOrThrow({ include: { events: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } } });
    return { row, events: row.events.map((e) => ({ type: e.type, details: e.details as Record<string, unknown> })) };
  }

  describe('[O3] the dialplan fallback never drops a caller', () => {
    it('service down and res_parking not loaded: a blind-transferred caller rings the transferer again', async () => {
      await start();
      h.fake.setModuleLoaded('res_parking.so', false);
      h.fake.dropWebSocket({ refuse: true }); // the service is unreachable: Stasis() fails
      const call = h.fake.call('102', '101');
      h.fake.setPhoneBehavior('101', 'manual');
      const before = h.fake.phone('101').invites.length;
      h.fake.blindTransfer(call.calleeChannelId, '*70333');
      await h.fake.waitFor(() => h.fake.phone('101').invites.length === before + 1 || h.fake.channel(call.callerChannelId) === undefined);
      expect(h.fake.channel(call.callerChannelId)).toBeDefined(); // not hung up
      expect(h.fake.warnings.filter((w) => /No application/.test(w))).toEqual([]);
      const ringBack = h.fake.phone('101').invites[before].channelId;
      h.fake.answer(ringBack);
      await h.fake.waitFor(() => h.fake.bridgedWith(call.callerChannelId).includes(ringBack));
    });

    it('service down with res_parking loaded: the caller is parked by res_parking', async () => {
      await start();
      h.fake.dropWebSocket({ refuse: true });
      const call = h.fake.call('102', '101');
      h.fake.blindTransfer(call.calleeChannelId, '*70333');
      await h.fake.waitFor(() => h.fake.bridgeOf(call.callerChannelId)?.bridge_class === 'parking');
    });

    it('the service reports a missing res_parking and missing prompts in /readyz, and stays ready', async () => {
      const readyz = async () => (await fetch(`${h.running.url}/readyz`)).json() as Promise<{ status: string; checks: Record<string, unknown> }>;
      await start();
      await eventually(async () => (await readyz()).checks.parkingFallback !== undefined, 'the check at connect');
      expect((await readyz()).checks).toMatchObject({ parkingFallback: 'ok', sounds: 'ok' });
      await h.stop();

      await start({ fake: { notLoaded: ['res_parking.so'], missingSounds: ['agent-pass'] } });
      await eventually(async () => (await readyz()).checks.parkingFallback !== undefined, 'the check at connect');
      const body = await readyz();
      expect(body.status).toBe('ready');
      expect(body.checks.parkingFallback).toMatch(/res_parking\.so is not loaded/);
      expect(body.checks.sounds).toBe('missing: agent-pass');
    });
  });

  describe('[P6] every prompt exists in the core sounds, and the announcement is heard whole', () => {
    it('each sound the service plays is in asterisk-core-sounds-en 1.6.1', async () => {
      await start();
      expect(promptSounds().filter((id) => !h.fake.soundExists(id))).toEqual([]);
    });

    it('the parker hears exactly "to call this number" and the number, nothing missing', async () => {
      await start();
      const call = h.fake.call('102', '101');
      h.fake.holdCall(call.calleeChannelId);
      const consult = h.fake.dial('101', '*707001');
      await h.fake.waitFor(() => played(consult).includes('digits:7001'));
      await h.fake.waitFor(() => h.fake.playbacks().every((p) => p.state === 'done' || p.state === 'failed'));
      expect(played(consult)).toEqual(prompts.parkedAt('7001'));
      expect(heard(consult)).toEqual(['sound:to-call-this-number', 'digits:7001']);
      expect(h.fake.warnings.filter((w) => /does not exist/.test(w))).toEqual([]);
    });
  });

  describe('[A6] history names who answered', () => {
    it('a recall answered by the parker 101 is recorded as by 101', async () => {
      await start();
      const caller = await blindPark();
      h.clock.advance(120_000);
      await h.fake.waitFor(() => h.fake.bridgedWith(caller).length === 1);
      const { row, events } = await timeline();
      expect(row).toMatchObject({ outcome: 'RECALL_ANSWERED', retrievedBy: '101' });
      expect(events.at(-1)).toMatchObject({ type: 'recall_answered', details: { by: '101', endpoint: 'PJSIP/101' } });
    });

    it('a call answered through the hunt group by 201 is recorded as by 201', async () => {
      await start({ seed: { tenant: { recallOption: 'HUNT_GROUP_ONLY' } } });
      const hunt = await h.db.prisma.huntGroup.create({ data: { tenantId: h.tenantId, name: 'Operators', extensions: ['201'], ringSec: 40 } });
      await h.db.prisma.tenant.update({ where: { id: h.tenantId }, data: { huntGroupId: hunt.id } });
      await h.reloadDialplan();
      const caller = await blindPark();
      h.clock.advance(120_000);
      await h.fake.waitFor(() => h.fake.bridgedWith(caller).length === 1);
      const { row, events } = await timeline();
      expect(row).toMatchObject({ outcome: 'HUNT_GROUP', retrievedBy: '201' });
      expect(events.at(-1)).toMatchObject({ type: 'hunt_group', details: { by: '201', endpoint: 'PJSIP/201' } });
    });
  });

  it('[C5][A6] the maximum park time records one end event: timed_out, not abandoned', async () => {
    await start({ seed: { tenant: { maxParkTimeSec: 300 } } });
    const caller = await blindPark();
    h.fake.setPhoneBehavior('101', 'unreachable');
    h.clock.advance(300_000);
    await h.fake.waitFor(() => h.fake.channel(caller) === undefined);
    const { row, events } = await timeline();
    expect(row.outcome).toBe('TIMED_OUT');
    expect(events.map((e) => e.type).filter((t) => ['abandoned', 'timed_out', 'lost'].includes(t))).toEqual(['timed_out']);
    expect(h.events.map((e) => e.type).filter((t) => t === 'abandoned' || t === 'timed_out')).toEqual(['timed_out']);
  });

  it('[C1] ring-backs carry a distinctive Alert-Info by default', async () => {
    await start(); // the tenant as the schema makes it
    const caller = await blindPark();
    h.clock.advance(120_000);
    await h.fake.waitFor(() => h.fake.phone('101').invites.some((i) => i.channelId.startsWith('recall-')));
    const invite = h.fake.phone('101').invites.find((i) => i.channelId.startsWith('recall-'))!;
    expect(invite.headers['Alert-Info']).toBe('<http://127.0.0.1>;info=Bellcore-dr2');
  });

  it('[P4] #58 and *58 both group-park by default', async () => {
    await start({
      seed: { extensions: ['101', '102', '301', '302'], groups: [{ name: 'Front desk', members: ['101', '102'], destinations: ['7001', '7002'] }] },
    });
    for (const [member, caller, code] of [['101', '301', '#58'], ['102', '302', '*58']]) {
      const call = h.fake.call(caller, member);
      h.fake.blindTransfer(call.calleeChannelId, code);
      await eventually(() => parked(h).some((p) => p.caller === call.callerChannelId), `parked with ${code}`);
    }
    expect(parked(h).map((p) => p.place).sort()).toEqual(['7001', '7002']);
  });

  it('[R6] PIN type-ahead: digits typed during "password incorrect" count toward the next attempt', async () => {
    await start({ fake: { playbackMode: 'manual' }, seed: { slots: [{ number: '7002', retrieveAllow: ['202'], pin: '1234' }] } });
    const call = h.fake.call('102', '101');
    h.fake.blindTransfer(call.calleeChannelId, '7002');
    await eventually(() => parked(h).length === 1, 'parked');
    const retriever = h.fake.dial('201', '7002');
    await h.fake.waitFor(() => h.fake.playbacks().some((p) => p.target_uri === `channel:${retriever}` && p.state === 'playing'));
    h.fake.sendDtmf(retriever, '9999#'); // wrong, typed during "please enter your password"
    await h.fake.waitFor(() => h.fake.playbacks().some((p) => p.target_uri === `channel:${retriever}` && p.medias.includes('sound:auth-incorrect') && p.state === 'playing'));
    h.fake.sendDtmf(retriever, '1234#'); // right away, while "password incorrect, please enter..." plays
    await h.fake.waitFor(() => h.fake.bridgedWith(call.callerChannelId).includes(retriever));
    expect(played(retriever)).toEqual(['sound:agent-pass', 'sound:auth-incorrect']);
  });

  it('[P5][P7] attended transfer: the caller is never out of a bridge without music', async () => {
    await start({ fake: { playbackMode: 'manual' } });
    const call = h.fake.call('102', '101');
    const caller = call.callerChannelId;
    h.fake.holdCall(call.calleeChannelId);
    const consult = h.fake.dial('101', '*707001');
    await h.fake.waitFor(() => h.fake.playbacks().some((p) => p.target_uri === `channel:${consult}` && p.state === 'playing'));
    // The announcement is still playing when the phone completes the transfer.
    const silentStretches: string[] = [];
    let silentSince: number | null = null;
    h.fake.attendedTransfer(call.calleeChannelId, consult);
    await h.fake.waitFor(
      () => {
        const announcing = h.fake.playbacks().some((p) => p.target_uri === `channel:${consult}` && ['queued', 'playing', 'continuing'].includes(p.state));
        const silent = !announcing && h.fake.mohOf(caller) === null && h.fake.channel(caller) !== undefined;
        if (silent && silentSince === null) silentSince = h.fake.requestCount;
        if (silent && silentSince !== null && h.fake.requestCount > silentSince) {
          silentStretches.push(`silent while the service made request #${h.fake.requestCount} (bridge: ${h.fake.bridgeOf(caller)?.id ?? 'none'})`);
        }
        if (!silent) silentSince = null;
        return parked(h).some((p) => p.caller === caller) && h.fake.bridgeOf(caller)?.bridge_type === 'holding' && h.fake.mohOf(caller) !== null;
      },
      3000,
      'parked in the holding bridge with music',
    );
    expect(silentStretches).toEqual([]);
  });
});
