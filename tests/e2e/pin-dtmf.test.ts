/**
 * Scenario 6 (R6, R4): call park extension 7002 lets 202 retrieve freely and anyone else with
 * PIN 1234. The phones key the PIN as RFC 4733 telephone-events in the RTP stream (sipp
 * play_dtmf, payload type 96 as negotiated); no SIP INFO is involved.
 */
import { waitBridged } from './support/asterisk';
import type { Line, Phone, PhoneCall } from './support/phones';
import { connectedCall, e2eFile, sipUri, waitParked, waitRow } from './support/steps';
import type { World } from './support/harness';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile({
  slots: [{ number: '7001' }, { number: '7002', retrieveAllow: ['202'], pin: '1234' }, { number: '7003' }],
});

async function parkOn7002(world: World): Promise<{ reception: Phone; caller: Line; receptionCall: PhoneCall; parked: ParkedCall }> {
  const reception = await world.phones.register('101');
  const { line: caller, answered: receptionCall } = await connectedCall(world, '102', reception);
  await receptionCall.transfer(sipUri(world, '7002'));
  const parked = await waitParked(world, '7002');
  await receptionCall.ended();
  return { reception, caller, receptionCall, parked };
}

/** `number` dials 7002 and gets the PIN prompt; returns the line and its channel. */
async function dialForPin(world: World, number: string): Promise<{ line: Line; channelId: string }> {
  const line = await world.phones.call(number, '7002');
  await line.answered();
  const channel = await waitFor(`${number}'s channel`, async () => (await world.asterisk.channelsOf(number))[0]);
  await world.ariEvents.waitFor(`the PIN prompt on ${number}'s channel`, (e) => e.type === 'PlaybackStarted' && e.playback?.target_uri === `channel:${channel.id}` && e.playback.media_uri === 'sound:agent-pass');
  return { line, channelId: channel.id };
}

flow('retrieval from 7002 with a PIN keyed as RFC 4733 events', (step, check) => {
  let parked: ParkedCall;

  step('102 calls 101, who transfers the call to 7002: parked there', async () => {
    ({ parked } = await parkOn7002(ctx.world));
  });

  check('103 (not on the list) keys a wrong PIN: "incorrect", the caller stays parked', async () => {
    const { world } = ctx;
    const { line, channelId } = await dialForPin(world, '103');
    await line.dtmf('9999#');
    await world.ariEvents.waitFor('"auth-incorrect" played to 103', (e) => e.type === 'PlaybackStarted' && e.playback?.target_uri === `channel:${channelId}` && e.playback.media_uri === 'sound:auth-incorrect');
    expect(world.ariEvents.digitsOn(channelId)).toBe('9999#');
    expect(world.service.service.ctx.lots.get(parked.id)?.state).toBe('PARKED');
    await line.hangup();
    await line.ended();
    expect(world.service.service.ctx.lots.get(parked.id)?.state).toBe('PARKED');
    // The phone keyed the digits in RTP only: no SIP INFO.
    expect(line.sipp.sent((m) => m.method === 'INFO')).toEqual([]);
  });

  step('201 (not on the list) keys 1234#: connected with the caller', async () => {
    const { world } = ctx;
    const { line, channelId } = await dialForPin(world, '201');
    await line.dtmf('1234#');
    await waitBridged(world.asterisk, parked.callerChannelId, channelId);
    expect(world.ariEvents.digitsOn(channelId)).toBe('1234#');
    expect(line.sipp.sent((m) => m.method === 'INFO')).toEqual([]);
    expect(await waitRow(world, { id: parked.id }, 'ENDED')).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201' });
  });
});

flow('retrieval from 7002 by 202, who is on its list', (step) => {
  let parked: ParkedCall;

  step('102 calls 101, who transfers the call to 7002: parked there', async () => {
    ({ parked } = await parkOn7002(ctx.world));
  });

  step('202 dials 7002: connected at once, no PIN asked', async () => {
    const { world } = ctx;
    const line = await world.phones.call('202', '7002');
    await line.answered();
    const channel = await waitFor('202\'s channel', async () => (await world.asterisk.channelsOf('202'))[0]);
    await waitBridged(world.asterisk, parked.callerChannelId, channel.id);
    expect(world.ariEvents.playedOn(channel.id)).not.toContain('sound:agent-pass');
    expect(await waitRow(world, { id: parked.id }, 'ENDED')).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '202' });
  });
});
