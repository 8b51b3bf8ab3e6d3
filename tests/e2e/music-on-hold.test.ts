/**
 * P7 on a real Asterisk: every parked caller hears music, continuously. The tenant's parked
 * callers share one holding bridge whose music the service starts with a bridge-level MOH
 * request; this follows that music across a lot that empties and fills again.
 */
import { waitBridged, waitForMedia } from './support/asterisk';
import type { Phone } from './support/phones';
import { connectedCall, e2eFile, sipUri, waitParked, waitRow } from './support/steps';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile();

flow('music for each parked caller, also once the lot has been empty', (step, check) => {
  let reception: Phone;
  let first: ParkedCall;
  let second: ParkedCall;

  step('102 calls 101, who transfers the call to 7001: parked', async () => {
    const { world } = ctx;
    reception = await world.phones.register('101');
    const call = await connectedCall(world, '102', reception);
    await call.answered.transfer(sipUri(world, '7001'));
    first = await waitParked(world, '7001');
  });

  check('102 hears music', async () => {
    await waitForMedia(ctx.world.asterisk, [first.callerChannelId], 25);
  });

  step('201 dials 7001 and takes the call: the lot is empty again', async () => {
    const { world } = ctx;
    const line = await world.phones.call('201', '7001');
    await line.answered();
    const [channel] = await world.asterisk.channelsOf('201');
    await waitBridged(world.asterisk, first.callerChannelId, channel.id);
    await waitRow(world, { id: first.id }, 'ENDED');
    await waitFor('the holding bridge to be empty', async () => {
      const bridge = (await world.asterisk.bridges()).find((b) => b.id === first.holdingBridgeId);
      return bridge !== undefined && bridge.channels.length === 0;
    });
  });

  step('202 calls 101, who transfers the call to 7002: parked in the same holding bridge', async () => {
    const { world } = ctx;
    const call = await connectedCall(world, '202', reception);
    await call.answered.transfer(sipUri(world, '7002'));
    second = await waitParked(world, '7002');
    expect(second.holdingBridgeId).toBe(first.holdingBridgeId);
    expect((await world.asterisk.bridgeOf(second.callerChannelId))?.id).toBe(first.holdingBridgeId);
  });

  check('202 hears music too', async () => {
    await waitForMedia(ctx.world.asterisk, [second.callerChannelId], 25);
  });
});
