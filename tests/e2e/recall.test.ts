/**
 * Scenario 5 (C1): a parked call nobody retrieves rings the parker back, with the tenant's
 * distinctive ring (Alert-Info) and a caller ID that says it is a parked call; answering the
 * ring-back connects the parker with the caller.
 */
import { waitBridged } from './support/asterisk';
import { displayName, header } from './support/sip-log';
import type { Line, Phone, PhoneCall } from './support/phones';
import { connectedCall, e2eFile, sipUri, waitParked, waitRow } from './support/steps';
import type { ParkedCall } from '../../apps/parking/src/domain/parked-call';
import { waitFor } from './support/wait';

const ALERT_INFO = '<http://127.0.0.1/Bellcore-dr2>';
const RECALL_SEC = 3;

const { ctx, flow } = e2eFile({ tenant: { recallTimerSec: RECALL_SEC, recallAlertInfo: ALERT_INFO } });

flow(`recall after ${RECALL_SEC} s with Alert-Info ${ALERT_INFO}`, (step, check) => {
  let reception: Phone;
  let caller: Line;
  let receptionCall: PhoneCall;
  let parked: ParkedCall;
  let ringBack: PhoneCall;

  step('102 calls 101, who transfers the call to 7001 and hangs up', async () => {
    const { world } = ctx;
    reception = await world.phones.register('101');
    ({ line: caller, answered: receptionCall } = await connectedCall(world, '102', reception));
    await receptionCall.transfer(sipUri(world, '7001'));
    parked = await waitParked(world, '7001');
    await receptionCall.ended();
    await waitFor('101 to have no call left', async () => (await world.asterisk.channelsOf('101')).length === 0);
  });

  step(`about ${RECALL_SEC} s later, 101 rings again: Alert-Info and a "Park" caller ID`, async () => {
    ringBack = await reception.nextCall(RECALL_SEC * 1000 + 10_000);
    const waited = ringBack.invite.at - parked.parkedAt;
    expect(waited).toBeGreaterThanOrEqual(RECALL_SEC * 1000 - 500);
    expect(header(ringBack.invite, 'alert-info')).toBe(ALERT_INFO);
    expect(displayName(header(ringBack.invite, 'from'))).toContain('Park');
    expect(displayName(header(ringBack.invite, 'from'))).toContain('7001');
  }, 30_000);

  step('101 answers the ring-back: it is connected with the caller', async () => {
    const { world } = ctx;
    await ringBack.answered();
    const recallChannel = await waitFor('101\'s ring-back channel', async () => (await world.asterisk.channelsOf('101'))[0]);
    await waitBridged(world.asterisk, parked.callerChannelId, recallChannel.id);
    const row = await waitRow(world, { id: parked.id }, 'ENDED');
    expect(row).toMatchObject({ outcome: 'RECALL_ANSWERED', recallAttempts: 1 });
    expect(row.events.map((e) => e.type)).toEqual(['parked', 'recall_started', 'recall_answered']);
    expect(caller.sipp.received((m) => m.method === 'BYE')).toEqual([]);
  });

  check('the service published recall_started, then recall_answered', async () => {
    const types = ctx.world.events.filter((e) => e.parkedCallId === parked.id).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['parked', 'recall_started', 'recall_answered']));
  });
});
