/**
 * Scenario 4 (P5 attended transfer): the receptionist holds the caller, calls *707001 (the
 * consult call hears where the call is parked), then completes the transfer: REFER with
 * Replaces naming the consult call. The caller takes the consult call's place and is parked on
 * 7001.
 */
import { waitBridged, waitForMedia } from './support/asterisk';
import type { Line, Phone, PhoneCall } from './support/phones';
import { connectedCall, e2eFile, sipUri, waitParked, waitRow } from './support/steps';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile();

flow('attended transfer to *707001', (step, check) => {
  let reception: Phone;
  let caller: Line;
  let receptionCall: PhoneCall;
  let consult: Line;
  let parked: ParkedCall;

  step('102 calls 101, who answers and puts the call on hold', async () => {
    reception = await ctx.world.phones.register('101');
    ({ line: caller, answered: receptionCall } = await connectedCall(ctx.world, '102', reception));
    await receptionCall.hold();
  });

  step('101 calls *707001: the consult call is answered and hears the announcement', async () => {
    const { world } = ctx;
    consult = await world.phones.call('101', '*707001');
    await consult.answered();
    const consultChannel = await waitFor('the consult channel', async () => (await world.asterisk.channelsOf('101')).find((c) => c.dialplan.exten === '*707001'));
    await waitFor('the service to hold 7001 for the consult call', () => world.service.service.ctx.consults.has(consultChannel.id));
    await waitForMedia(world.asterisk, [consultChannel.id], 25);
  });

  step('101 completes the transfer (REFER with Replaces): 102 is parked on 7001 (ATTENDED_TRANSFER)', async () => {
    const { world } = ctx;
    const { callId, localTag, remoteTag } = consult.dialog();
    const replaces = encodeURIComponent(`${callId};to-tag=${remoteTag};from-tag=${localTag}`);
    await receptionCall.transfer(sipUri(world, '*707001', `?Replaces=${replaces}`));
    parked = await waitParked(world, '7001');
    expect(parked).toMatchObject({ method: 'ATTENDED_TRANSFER', callerNumber: '102', parker: { extension: '101' } });
    const row = await waitRow(world, { id: parked.id }, 'PARKED');
    expect(row).toMatchObject({ place: '7001', placeKind: 'SLOT', method: 'ATTENDED_TRANSFER', parkerExtension: '101', callerNumber: '102' });
    expect((await world.asterisk.bridgeOf(parked.callerChannelId))?.bridge_type).toBe('holding');
    // Both of the receptionist's calls are over; the caller's is not.
    await consult.ended();
    await receptionCall.ended();
    expect(receptionCall.transferReports()).toContain('SIP/2.0 200 OK');
    expect(caller.sipp.received((m) => m.method === 'BYE')).toEqual([]);
  });

  check('102 hears music while parked (P7)', async () => {
    await waitForMedia(ctx.world.asterisk, [parked.callerChannelId], 25);
  });

  step('201 dials 7001 and gets the caller', async () => {
    const { world } = ctx;
    const retriever = await world.phones.call('201', '7001');
    await retriever.answered();
    const [retrieverChannel] = await world.asterisk.channelsOf('201');
    await waitBridged(world.asterisk, parked.callerChannelId, retrieverChannel.id);
    expect(await waitRow(world, { id: parked.id }, 'ENDED')).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201' });
  });
});
