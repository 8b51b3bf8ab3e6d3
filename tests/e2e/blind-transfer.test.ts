/**
 * Scenario 1 (P1, P5 blind transfer, P6, R1, R7): a receptionist blind-transfers a caller to
 * *70333, is told by text message where the call went, and someone retrieves it with *71333.
 */
import { header } from './support/sip-log';
import { waitBridged, waitForMedia } from './support/asterisk';
import { connectedCall, e2eFile, sipUri, waitParked, waitRow } from './support/steps';
import type { Line, Phone, PhoneCall } from './support/phones';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile();

flow('blind transfer to *70333, retrieval with *71333', (step, check) => {
  let reception: Phone;
  let target: Phone;
  let caller: Line;
  let receptionCall: PhoneCall;
  let parked: ParkedCall;

  step('102 calls 101 (the receptionist), who answers', async () => {
    target = await ctx.world.phones.register('333');
    reception = await ctx.world.phones.register('101');
    ({ line: caller, answered: receptionCall } = await connectedCall(ctx.world, '102', reception));
  });

  step('101 transfers the call to *70333 (REFER): 102 is parked on 333', async () => {
    const { world } = ctx;
    await receptionCall.transfer(sipUri(world, '*70333'));
    parked = await waitParked(world, '333');
    expect(parked).toMatchObject({ method: 'BLIND_TRANSFER', callerNumber: '102', parker: { extension: '101', endpoint: 'PJSIP/101' } });
    const bridge = await world.asterisk.bridgeOf(parked.callerChannelId);
    expect(bridge).toMatchObject({ bridge_type: 'holding', id: parked.holdingBridgeId });
    const row = await waitRow(world, { id: parked.id }, 'PARKED');
    expect(row).toMatchObject({ place: '333', placeKind: 'EXTENSION', method: 'BLIND_TRANSFER', parkerExtension: '101', callerNumber: '102' });
    // The caller stays on the line; the receptionist's phone got the transfer's final report
    // and hung up, as phones do.
    expect(caller.sipp.received((m) => m.method === 'BYE')).toEqual([]);
    await receptionCall.ended();
    expect(receptionCall.transferReports()).toContain('SIP/2.0 200 OK');
  });

  check('102 hears music while parked (P7: RTP from the holding bridge)', async () => {
    await waitForMedia(ctx.world.asterisk, [parked.callerChannelId], 25);
  });

  check('101 receives a text message (SIP MESSAGE) naming the retrieval number', async () => {
    const message = await reception.waitForMessage(5000);
    expect(message.body).toContain('*71333');
    expect(header(message, 'content-type')).toMatch(/^text\/plain/);
  });

  check('333, whom the call was parked for, receives a text message too (B4)', async () => {
    const message = await target.waitForMessage(5000);
    expect(message.body).toContain('*71333');
    expect(message.body).toContain('101');
  });

  step('201 dials *71333 and is connected with 102; both have media', async () => {
    const { world } = ctx;
    const retriever = await world.phones.call('201', '*71333');
    await retriever.answered();
    const [retrieverChannel] = await world.asterisk.channelsOf('201');
    await waitBridged(world.asterisk, parked.callerChannelId, retrieverChannel.id);
    await waitForMedia(world.asterisk, [parked.callerChannelId, retrieverChannel.id], 25, { bothWays: true });
    const row = await waitRow(world, { id: parked.id }, 'ENDED');
    expect(row).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201' });
    expect(row.events.map((e) => e.type)).toEqual(['parked', 'retrieved']);
    expect(world.service.service.ctx.lots.all()).toEqual([]);
    // 201 hangs up: the caller is hung up too.
    await retriever.hangup();
    await caller.waitForBye();
    await retriever.ended();
  });
});

flow('*71333 with nothing parked', (step, check) => {
  let retriever: Line;
  let promptPackets = 0;

  step('201 dials *71333: Asterisk plays it something, then ends the call', async () => {
    const { world } = ctx;
    retriever = await world.phones.call('201', '*71333');
    // While the channel lives, count the RTP Asterisk sends to the phone: the prompt.
    const channel = await waitFor('201 to have a channel', async () => (await world.asterisk.channelsOf('201'))[0]);
    while (await world.asterisk.channel(channel.id)) {
      promptPackets = Math.max(promptPackets, (await world.asterisk.rtpStatistics(channel.id))?.txcount ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await retriever.ended();
  });

  check('the phone gets the "no call parked" prompt (RTP from Asterisk)', async () => {
    const played = ctx.world.ariEvents.events.filter((e) => e.type === 'PlaybackStarted').map((e) => e.playback?.media_uri);
    expect(played).toContain('sound:pbx-invalidpark');
    expect(promptPackets).toBeGreaterThan(25);
  });

  check('the call is answered (200 OK), then Asterisk hangs up (BYE)', async () => {
    const responses = retriever.responses().map((m) => m.startLine);
    expect({ responses, byeFromAsterisk: retriever.sipp.received((m) => m.method === 'BYE').length }).toEqual({
      responses: expect.arrayContaining(['SIP/2.0 200 OK']),
      byeFromAsterisk: 1,
    });
  });
});
