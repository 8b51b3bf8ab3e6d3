/**
 * O5 on a real Asterisk: the service restarts while a caller is parked. The caller stays in
 * Asterisk's holding bridge, the new instance adopts the park from Asterisk and the database,
 * and parking and retrieving go on working.
 */
import { waitBridged, waitForMedia } from './support/asterisk';
import type { Line } from './support/phones';
import { connectedCall, describeWorld, e2eFile, sipUri, waitParked, waitRow } from './support/steps';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile();

flow('service restart with a caller parked on 7001', (step, check) => {
  let caller: Line;
  let parked: ParkedCall;

  step('102 calls 101, who transfers the call to 7001: parked there', async () => {
    const { world } = ctx;
    const reception = await world.phones.register('101');
    const call = await connectedCall(world, '102', reception);
    caller = call.line;
    await call.answered.transfer(sipUri(world, '7001'));
    parked = await waitParked(world, '7001');
    await waitRow(world, { id: parked.id }, 'PARKED');
  });

  check('102 hears music while parked (P7)', async () => {
    await waitForMedia(ctx.world.asterisk, [parked.callerChannelId], 25);
  });

  step('the service stops and starts again: the new instance adopts the parked caller', async () => {
    const { world } = ctx;
    await world.restartService();
    const adopted = await waitFor('the new instance to hold the call on 7001', () => world.service.service.ctx.lots.get(parked.id));
    expect(adopted).toMatchObject({ placeKey: '7001', callerChannelId: parked.callerChannelId, state: 'PARKED' });
    expect((await world.asterisk.bridgeOf(parked.callerChannelId))?.id).toBe(parked.holdingBridgeId);
    expect(await world.asterisk.deviceState('Stasis:park-acme-7001')).toBe('INUSE');
    expect(caller.sipp.received((m) => m.method === 'BYE')).toEqual([]);
  });

  check('the parked caller still hears music after the restart (P7)', async () => {
    await waitForMedia(ctx.world.asterisk, [parked.callerChannelId], 25);
  });

  check('a new park after the restart works: 202 calls 201, who transfers to 7002', async () => {
    const { world } = ctx;
    const operator = await world.phones.register('201');
    const call = await connectedCall(world, '202', operator);
    await call.answered.transfer(sipUri(world, '7002'));
    const second = await waitFor('a call parked on 7002', () => world.service.service.ctx.lots.all().find((c) => c.placeKey === '7002'), {
      detail: () => describeWorld(world),
    });
    expect(second).toMatchObject({ state: 'PARKED', method: 'BLIND_TRANSFER' });
    // In the holding bridge the earlier instance made, with music (P7).
    expect((await world.asterisk.bridgeOf(second.callerChannelId))?.id).toBe(parked.holdingBridgeId);
    await waitForMedia(world.asterisk, [second.callerChannelId], 25);
  });

  step('103 dials 7001: connected with the caller parked before the restart', async () => {
    const { world } = ctx;
    const line = await world.phones.call('103', '7001');
    await line.answered();
    const [channel] = await world.asterisk.channelsOf('103');
    await waitBridged(world.asterisk, parked.callerChannelId, channel.id);
    expect(await waitRow(world, { id: parked.id }, 'ENDED')).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '103' });
  });
});
