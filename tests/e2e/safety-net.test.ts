/**
 * The dialplan's safety net while the service is down (O3, issue 13): a caller blind-transferred
 * to a park code is parked by Asterisk's own res_parking (asterisk-conf/res_parking.conf), and
 * when res_parking is not loaded either, the caller rings the transferer again: never dropped.
 */
import { connectedCall, e2eFile, sipUri } from './support/steps';
import type { Line, Phone, PhoneCall } from './support/phones';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile();

flow('the service is down: res_parking parks, and without res_parking the transferer is rung again', (step) => {
  let reception: Phone;
  let caller: Line;
  let receptionCall: PhoneCall;
  let callerChannel: string;

  step('102 calls 101, who answers', async () => {
    reception = await ctx.world.phones.register('101');
    ({ line: caller, answered: receptionCall, callerChannel } = await connectedCall(ctx.world, '102', reception));
  });

  step('with the service stopped, 101 transfers 102 to *70333: res_parking parks 102 (lot "default")', async () => {
    const { world } = ctx;
    await world.restartService(async () => {
      await receptionCall.transfer(sipUri(world, '*70333'));
      await waitFor('102 in res_parking\'s parking bridge', async () => (await world.asterisk.bridgeOf(callerChannel))?.bridge_class === 'parking', { timeoutMs: 10_000 });
      expect(await world.asterisk.cli('parking show default')).toMatch(/Parking Lot: default[\s\S]*Parked Calls[\s\S]*PJSIP\/102-/);
      expect(caller.sipp.received((m) => m.method === 'BYE')).toEqual([]);
    });
    // The restarted service leaves res_parking's caller alone: not in its application.
    expect(world.service.service.ctx.lots.all()).toEqual([]);
    await caller.hangup();
  });

  step('with the service stopped and res_parking unloaded, the transferred caller rings 101 again', async () => {
    const { world } = ctx;
    ({ line: caller, answered: receptionCall, callerChannel } = await connectedCall(world, '102', reception));
    await world.restartService(async () => {
      await world.asterisk.cli('module unload res_parking.so');
      try {
        await receptionCall.transfer(sipUri(world, '*70333'));
        const back = await reception.nextCall(15_000);
        await back.answered();
        const [ringBack] = await world.asterisk.channelsOf('101');
        await waitFor('102 and 101 talking again', async () => (await world.asterisk.bridgeOf(callerChannel))?.channels.includes(ringBack.id), { timeoutMs: 10_000 });
        expect(caller.sipp.received((m) => m.method === 'BYE')).toEqual([]);
        await back.hangup();
        await caller.waitForBye();
      } finally {
        await world.asterisk.cli('module load res_parking.so');
      }
    });
  });
});
