/**
 * Scenario 3 (P5 hold + dial + hang up): the receptionist puts the caller on hold, dials
 * *70333 on a second line, hears where the call will be parked, and hangs up that line. The
 * service pulls the held caller out of the first call and parks it.
 */
import { waitBridged, waitForMedia } from './support/asterisk';
import type { Line, Phone, PhoneCall } from './support/phones';
import { connectedCall, e2eFile, waitParked, waitRow } from './support/steps';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile();

flow('hold, dial *70333 on a second line, hang up', (step, check) => {
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

  step('101 dials *70333 on a second line: answered, and the announcement plays', async () => {
    const { world } = ctx;
    consult = await world.phones.call('101', '*70333');
    await consult.answered();
    const consultChannel = await waitFor('the consult channel', async () => (await world.asterisk.channelsOf('101')).find((c) => c.dialplan.exten === '*70333'));
    // The service keeps the place for this consult call while it announces it.
    await waitFor('the service to hold 333 for the consult call', () => world.service.service.ctx.consults.has(consultChannel.id));
    expect(world.service.service.ctx.lots.isTaken(world.tenantId, '333')).toBe(true);
    // A second of the announcement reaches the phone.
    await waitForMedia(world.asterisk, [consultChannel.id], 50);
  });

  step('101 hangs up the second line: 102 is parked on 333 (HOLD_AND_DIAL)', async () => {
    const { world } = ctx;
    await consult.hangup();
    await consult.ended();
    parked = await waitParked(world, '333');
    expect(parked).toMatchObject({ method: 'HOLD_AND_DIAL', callerNumber: '102', parker: { extension: '101' } });
    const row = await waitRow(world, { id: parked.id }, 'PARKED');
    expect(row).toMatchObject({ place: '333', method: 'HOLD_AND_DIAL', parkerExtension: '101', callerNumber: '102' });
    expect((await world.asterisk.bridgeOf(parked.callerChannelId))?.bridge_type).toBe('holding');
    // The receptionist's held call is over; the caller's is not.
    await receptionCall.ended();
    expect(receptionCall.endedBy()).toBe('far');
    expect(caller.sipp.received((m) => m.method === 'BYE')).toEqual([]);
  });

  check('102 hears music while parked (P7)', async () => {
    await waitForMedia(ctx.world.asterisk, [parked.callerChannelId], 25);
  });

  step('201 retrieves it with *71333', async () => {
    const { world } = ctx;
    const retriever = await world.phones.call('201', '*71333');
    await retriever.answered();
    const [retrieverChannel] = await world.asterisk.channelsOf('201');
    await waitBridged(world.asterisk, parked.callerChannelId, retrieverChannel.id);
    expect(await waitRow(world, { id: parked.id }, 'ENDED')).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201' });
  });
});
