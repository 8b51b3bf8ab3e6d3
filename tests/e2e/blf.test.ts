/**
 * Scenario 2 (B1, P3, R4): a phone's BLF key watches call park extension 7001 (SUBSCRIBE,
 * Event: dialog). Parking on 7001 lights it (NOTIFY confirmed), retrieving by dialling 7001
 * puts it out (NOTIFY terminated).
 */
import { waitBridged } from './support/asterisk';
import type { Blf, Line, Phone, PhoneCall } from './support/phones';
import { connectedCall, e2eFile, sipUri, waitParked, waitRow } from './support/steps';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile();

flow('BLF key of 333 on call park extension 7001', (step, check) => {
  let blf: Blf;
  let reception: Phone;
  let caller: Line;
  let receptionCall: PhoneCall;
  let parked: ParkedCall;
  let seen = 0;

  step('333 subscribes to the dialog state of 7001: idle', async () => {
    blf = await ctx.world.phones.watch('333', '7001');
    seen = await blf.waitForState('terminated');
  });

  step('102 calls 101, who transfers the call to 7001: parked there', async () => {
    const { world } = ctx;
    reception = await world.phones.register('101');
    ({ line: caller, answered: receptionCall } = await connectedCall(world, '102', reception));
    await receptionCall.transfer(sipUri(world, '7001'));
    parked = await waitParked(world, '7001');
    expect(parked).toMatchObject({ method: 'BLIND_TRANSFER', place: { kind: 'SLOT', number: '7001' } });
    await waitRow(world, { id: parked.id }, 'PARKED');
  });

  check('the key lights: NOTIFY with state confirmed, device Stasis:park-acme-7001 in use', async () => {
    seen = await blf.waitForState('confirmed', seen);
    expect(await ctx.world.asterisk.deviceState('Stasis:park-acme-7001')).toBe('INUSE');
    expect(await ctx.world.asterisk.deviceState('Stasis:park-acme')).toBe('INUSE');
  });

  step('201 dials 7001 (the BLF key): it retrieves the call', async () => {
    const { world } = ctx;
    const retriever = await world.phones.call('201', '7001');
    await retriever.answered();
    const [retrieverChannel] = await world.asterisk.channelsOf('201');
    await waitBridged(world.asterisk, parked.callerChannelId, retrieverChannel.id);
    const row = await waitRow(world, { id: parked.id }, 'ENDED');
    expect(row).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201' });
  });

  check('the key goes out: NOTIFY with state terminated, device not in use', async () => {
    await blf.waitForState('terminated', seen);
    expect(await ctx.world.asterisk.deviceState('Stasis:park-acme-7001')).toBe('NOT_INUSE');
    await waitFor('the lot lamp to go out', async () => (await ctx.world.asterisk.deviceState('Stasis:park-acme')) === 'NOT_INUSE');
  });

  step('333 unsubscribes', async () => {
    await blf.unsubscribe();
    expect(blf.sipp.exitCode).toBe(0);
    void caller;
  });
});
