/**
 * Scenario 10 (P4, R2, B2, B4): group call park. Members 101, 201 and 202 of "Front desk"
 * park with *58 on the group's destinations 7003 then 7001; every member gets a text message;
 * 333's BLF key on the group lamp lights; a non-member is refused; a member dialling *71 alone
 * gets the group's longest-waiting call.
 */
import { lampName } from '../../apps/parking/src/domain/lamp-names';
import { waitBridged } from './support/asterisk';
import type { Blf, Line, Phone, PhoneCall } from './support/phones';
import { connectedCall, e2eFile, sipUri, waitParked, waitRow } from './support/steps';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { waitFor } from './support/wait';

const GROUP_LAMP = lampName.group('acme', 'Front desk');

const { ctx, flow } = e2eFile({
  tenant: { groupParkCodes: ['*58'] },
  groups: [{ name: 'Front desk', members: ['101', '201', '202'], destinations: ['7003', '7001'] }],
});

flow('group park with *58 by blind transfer, group retrieve with *71', (step, check) => {
  let blf: Blf;
  let members: Phone[];
  let first: { line: Line; answered: PhoneCall };
  let second: { line: Line; answered: PhoneCall };
  let firstParked: ParkedCall;
  let secondParked: ParkedCall;
  let seen = 0;

  step(`333 watches the group lamp (BLF on ${GROUP_LAMP}): idle`, async () => {
    blf = await ctx.world.phones.watch('333', GROUP_LAMP);
    seen = await blf.waitForState('terminated');
  });

  step('103 calls member 101, who transfers the call to *58: parked on 7003, the first destination', async () => {
    const { world } = ctx;
    members = [await world.phones.register('101'), await world.phones.register('201'), await world.phones.register('202')];
    first = await connectedCall(world, '103', members[0]);
    await first.answered.transfer(sipUri(world, '*58'));
    firstParked = await waitParked(world, '7003');
    expect(firstParked).toMatchObject({ method: 'BLIND_TRANSFER', callerNumber: '103', parker: { extension: '101' } });
    expect(await waitRow(world, { id: firstParked.id }, 'PARKED')).toMatchObject({ place: '7003', groupId: expect.any(String) });
    await first.answered.ended();
  });

  check('the other members get a text message "103 parked on 7003 by 101"; 101, who parked, is told where', async () => {
    for (const member of members.slice(1)) {
      await waitFor(`a group message to ${member.number}`, () => member.messages().find((m) => /103 parked on 7003 by 101/.test(m.body)));
    }
    await waitFor('the message to 101', () => members[0].messages().find((m) => m.body.includes('7003')));
  });

  check('the group lamp lights: NOTIFY confirmed, device INUSE', async () => {
    seen = await blf.waitForState('confirmed', seen);
    expect(await ctx.world.asterisk.deviceState(`Stasis:${GROUP_LAMP}`)).toBe('INUSE');
  });

  step('102 calls member 202, who transfers to *58: 7003 is taken, parked on 7001', async () => {
    const { world } = ctx;
    second = await connectedCall(world, '102', members[2]);
    await second.answered.transfer(sipUri(world, '*58'));
    secondParked = await waitParked(world, '7001');
    expect(secondParked.callerNumber).toBe('102');
  });

  step('333 (not a member) dials *58: refused with a prompt, nothing parked', async () => {
    const { world } = ctx;
    const outsider = await world.phones.call('333', '*58');
    await outsider.answered();
    const channel = await waitFor("333's channel", async () => (await world.asterisk.channelsOf('333'))[0]);
    await world.ariEvents.waitFor('the refusal prompt', (e) => e.type === 'PlaybackStarted' && e.playback?.target_uri === `channel:${channel.id}` && e.playback.media_uri === 'sound:ss-noservice');
    await outsider.ended();
    expect(world.service.service.ctx.lots.all()).toHaveLength(2);
  });

  step('member 201 dials *71 alone: connected with 103, the longest waiting', async () => {
    const { world } = ctx;
    const retriever = await world.phones.call('201', '*71');
    await retriever.answered();
    const channel = await waitFor("201's channel", async () => (await world.asterisk.channelsOf('201'))[0]);
    await waitBridged(world.asterisk, firstParked.callerChannelId, channel.id);
    expect(await waitRow(world, { id: firstParked.id }, 'ENDED')).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201' });
    await retriever.hangup();
    await first.line.waitForBye();
  });

  step('the second call is retrieved by dialling 7001; the group lamp goes out', async () => {
    const { world } = ctx;
    const retriever = await world.phones.call('101', '7001');
    await retriever.answered();
    const channel = await waitFor("101's channel", async () => (await world.asterisk.channelsOf('101')).find((c) => c.dialplan?.exten === '7001'));
    await waitBridged(world.asterisk, secondParked.callerChannelId, channel.id);
    await blf.waitForState('terminated', seen);
    expect(await world.asterisk.deviceState(`Stasis:${GROUP_LAMP}`)).toBe('NOT_INUSE');
    await retriever.hangup();
    await second.line.waitForBye();
  });

  step('333 unsubscribes', async () => {
    await blf.unsubscribe();
    expect(blf.sipp.exitCode).toBe(0);
  });
});
