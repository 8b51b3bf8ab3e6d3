/**
 * The call-control API on a real Asterisk (A3, R5, P5 "the call-control API"): a switchboard
 * app parks a live call, lists it, has it delivered to a phone, and hangs up another.
 */
import { waitBridged } from './support/asterisk';
import type { Line, Phone, PhoneCall } from './support/phones';
import { connectedCall, e2eFile, waitParked, waitRow } from './support/steps';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { displayName, header } from './support/sip-log';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile();
const base = () => `/api/v1/tenants/${ctx.world.tenantId}/parked-calls`;

flow('park by API, list, deliver to a phone', (step, check) => {
  let reception: Phone;
  let caller: Line;
  let receptionCall: PhoneCall;
  let callerChannel: string;
  let parked: ParkedCall;

  step('102 calls 101; the switchboard app parks 102 on 7003 (POST parked-calls)', async () => {
    const { world } = ctx;
    reception = await world.phones.register('101');
    ({ line: caller, answered: receptionCall, callerChannel } = await connectedCall(world, '102', reception));
    const response = await world.api('POST', base(), { channelId: callerChannel, slot: '7003', parker: '101' });
    expect(response).toMatchObject({ status: 202, body: { place: '7003', placeKind: 'SLOT', retrievalNumber: '7003' } });
    parked = await waitParked(world, '7003');
    expect(parked).toMatchObject({ method: 'API', callerChannelId: callerChannel, parker: { extension: '101' } });
    await waitRow(world, { id: parked.id }, 'PARKED');
    // The caller is still on the line; the receptionist's side of the call is over.
    await receptionCall.ended();
    expect(caller.sipp.received((m) => m.method === 'BYE')).toEqual([]);
  });

  check('GET parked-calls lists it', async () => {
    const response = await ctx.world.api('GET', base());
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      expect.objectContaining({ id: parked.id, place: '7003', retrievalNumber: '7003', method: 'API', parker: '101', caller: { name: 'Phone 102', number: '102' }, state: 'PARKED' }),
    ]);
  });

  step('POST parked-calls/:id/retrieve to 201: 201 rings, answers, and is connected with 102', async () => {
    const { world } = ctx;
    const operator = await world.phones.register('201');
    const response = await world.api('POST', `${base()}/${parked.id}/retrieve`, { extension: '201' });
    expect(response).toMatchObject({ status: 202, body: { parkedCallId: parked.id, extension: '201' } });
    const ringing = await operator.nextCall();
    expect(displayName(header(ringing.invite, 'from'))).toContain('102');
    await ringing.answered();
    const [channel] = await world.asterisk.channelsOf('201');
    await waitBridged(world.asterisk, parked.callerChannelId, channel.id);
    expect(await waitRow(world, { id: parked.id }, 'ENDED')).toMatchObject({ outcome: 'RETRIEVED' });
    expect((await world.api('GET', base())).body.items).toEqual([]);
  });
});

flow('hang up a parked call by API', (step) => {
  let caller: Line;
  let parked: ParkedCall;

  step('102 calls 101, who transfers the call to 7001: parked there', async () => {
    const { world } = ctx;
    const reception = await world.phones.register('101');
    const call = await connectedCall(world, '102', reception);
    caller = call.line;
    await call.answered.transfer(`<sip:7001@${world.env.sipHost}:${world.env.sipPort}>`);
    parked = await waitParked(world, '7001');
    await waitRow(world, { id: parked.id }, 'PARKED');
  });

  step('DELETE parked-calls/:id: the caller gets a BYE, the park ends', async () => {
    const { world } = ctx;
    expect((await world.api('DELETE', `${base()}/${parked.id}`)).status).toBe(204);
    await caller.waitForBye();
    const row = await waitRow(world, { id: parked.id }, 'ENDED');
    expect(row.outcome).toBe('HUNG_UP');
    await waitFor('the lamp of 7001 to go out', async () => (await world.asterisk.deviceState('Stasis:park-acme-7001')) === 'NOT_INUSE');
  });
});
