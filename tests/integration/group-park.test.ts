import { lampName } from '../../apps/parking/src/domain/lamp-names';
import { eventually, parked, playedTo, startHarness, type Harness } from '../support/harness';

/**
 * Group call park (issue 5): members 101, 102, 103 of "Front desk" park with *58 or #58 on
 * the group's destinations, in order; the group's lamp and every member's phone follow.
 */
describe('group call park', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  async function start(opts: { membersAsDestinations?: boolean } = {}) {
    h = await startHarness({
      seed: {
        extensions: ['101', '102', '103', '201', '202', '301', '302'],
        tenant: { groupParkCodes: ['*58', '#58'] },
        groups: [{ name: 'Front desk', members: ['101', '102', '103'], destinations: ['7003', '7001', '7002'], useMembersAsDestinations: opts.membersAsDestinations }],
      },
    });
  }

  /** An outside caller (30x) talking to a member, who blind-transfers them to the group code. */
  async function groupPark(member: string, caller: string, code = '*58') {
    const call = h.fake.call(caller, member);
    h.fake.blindTransfer(call.calleeChannelId, code);
    await eventually(() => parked(h).some((p) => p.caller === call.callerChannelId) && h.fake.bridgeOf(call.callerChannelId)?.bridge_type === 'holding', 'group park');
    return call.callerChannelId;
  }

  const placeOf = (channelId: string) => parked(h).find((p) => p.caller === channelId)?.place;

  it('[P4] hunts the destinations in their order, skipping taken ones; #58 works too', async () => {
    await start();
    const a = await groupPark('101', '301');
    expect(placeOf(a)).toBe('7003');
    const b = await groupPark('102', '302', '#58');
    expect(placeOf(b)).toBe('7001');
  });

  it('[P4] members as destinations: parks against the first member without a parked call', async () => {
    await start({ membersAsDestinations: true });
    const a = await groupPark('102', '301');
    expect(placeOf(a)).toBe('101');
    const b = await groupPark('101', '302');
    expect(placeOf(b)).toBe('102');
  });

  it('[P4][P8] a non-member is refused with a prompt and keeps the call', async () => {
    await start();
    const call = h.fake.call('301', '201');
    h.fake.holdCall(call.calleeChannelId);
    const consult = h.fake.dial('201', '*58');
    await h.fake.waitFor(() => h.fake.channel(consult) === undefined);
    expect(playedTo(h, consult)).toContain('sound:ss-noservice');
    expect(h.fake.bridgedWith(call.calleeChannelId)).toEqual([call.callerChannelId]);
    expect(parked(h)).toHaveLength(0);
  });

  it('[P4][P8] every destination taken: the caller is not dropped but returned to the parker', async () => {
    await start();
    await groupPark('101', '301');
    await groupPark('101', '302');
    await groupPark('102', '201');
    const last = h.fake.call('202', '103');
    h.fake.blindTransfer(last.calleeChannelId, '*58');
    await h.fake.waitFor(() => h.fake.bridgedWith(last.callerChannelId).length === 1);
    expect(h.fake.phone('103').invites.at(-1)!.callerId.name).toMatch(/^Not parked/);
    expect(h.events.find((e) => e.type === 'park_failed')?.data.reason).toBe('lot-full');
  });

  it('[R2] a member dialling the retrieve prefix alone gets the group\'s longest-waiting call', async () => {
    await start();
    const first = await groupPark('101', '301');
    h.clock.advance(5_000);
    await groupPark('102', '302');
    const retriever = h.fake.dial('103', '*71');
    await h.fake.waitFor(() => h.fake.bridgedWith(first).includes(retriever));
    await eventually(() => parked(h).length === 1, 'the oldest call taken');
    expect(parked(h)[0].place).toBe('7001');
  });

  it('[B4] every member gets a text message naming the caller, the place and the parker', async () => {
    await start();
    await groupPark('101', '301');
    for (const member of ['102', '103']) {
      await h.fake.waitFor(() => h.fake.phone(member).messages.length === 1);
      expect(h.fake.phone(member).messages[0].body).toMatch(/301 parked on 7003 by 101/);
    }
    await eventually(() => h.events.some((e) => e.type === 'notified'), 'notified event');
    expect(h.events.find((e) => e.type === 'notified')?.data.recipients).toEqual(expect.arrayContaining(['PJSIP/102', 'PJSIP/103']));
  });

  it('[B2][B3] the group lamp and the lot lamp are lit while anything of the group is parked', async () => {
    await start();
    const device = lampName.group('acme', 'Front desk');
    const lamp = `Stasis:${device}`;
    const a = await groupPark('101', '301');
    await h.fake.waitFor(() => h.fake.deviceState(lamp) === 'INUSE');
    expect(h.fake.hintState(`${device}@parking-acme`)).not.toBe('NOT_INUSE');
    const b = await groupPark('102', '302');
    h.fake.hangup(a);
    await eventually(() => parked(h).length === 1, 'one left');
    expect(h.fake.deviceState(lamp)).toBe('INUSE');
    h.fake.hangup(b);
    await h.fake.waitFor(() => h.fake.deviceState(lamp) === 'NOT_INUSE' && h.fake.deviceState('Stasis:park-acme') === 'NOT_INUSE');
  });
});
