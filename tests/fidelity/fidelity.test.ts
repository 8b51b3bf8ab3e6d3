/**
 * Fidelity of the fake Asterisk (issue 8): call flows written once, run against the fake
 * (in `npm test`) or against a real Asterisk 22 (`npm run test:fidelity`, which sets ARI_URL).
 * Each flow asserts its outcome, then compares what the service saw of Asterisk (transcript.ts)
 * with the transcript recorded on a real Asterisk 22.10.1 (recorded/<flow>.json). A difference
 * on the fake is a fidelity bug of the fake; on a real Asterisk, a change of Asterisk.
 * `FIDELITY_RECORD=1 npm run test:fidelity` records the transcripts anew from the real one.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { lampName } from '../../apps/parking/src/domain/lamp-names';
import type { SeedOptions } from '../support/seed';
import { startFakePbx } from './fake-pbx';
import { until, type Leg, type Pbx } from './pbx';
import { startRealPbx } from './real-pbx';
import { transcriptOf, type Transcript } from './transcript';

const REAL = Boolean(process.env.ARI_URL);
const RECORD = REAL && process.env.FIDELITY_RECORD === '1';
const RECORDED = path.join(__dirname, 'recorded');
const QUIET_MS = REAL ? 1500 : 200;

function flow(name: string, seed: SeedOptions, run: (pbx: Pbx) => Promise<void>): void {
  const file = path.join(RECORDED, `${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.json`);
  it(
    name,
    async () => {
      const pbx = await (REAL ? startRealPbx : startFakePbx)(seed);
      try {
        await run(pbx).catch((err: Error) => {
          // What the service saw up to the failure, to tell a fake's gap from a flow's mistake.
          err.message += `\nthe service saw: ${JSON.stringify(transcriptOf(pbx.seen), null, 2)}`;
          throw err;
        });
        await until('the service to hold no parked call', () => pbx.service.service.ctx.lots.all().length === 0);
        await quiet(pbx);
        const transcript = transcriptOf(pbx.seen);
        if (RECORD) {
          mkdirSync(RECORDED, { recursive: true });
          writeFileSync(file, `${JSON.stringify(transcript, null, 2)}\n`);
        }
        if (!existsSync(file)) throw new Error(`no transcript recorded on a real Asterisk for "${name}": ${file}\n${JSON.stringify(transcript, null, 2)}`);
        expect(transcript).toEqual(JSON.parse(readFileSync(file, 'utf8')) as Transcript);
      } finally {
        await pbx.stop();
      }
    },
    REAL ? 120_000 : 30_000,
  );
}

/** Waits until no ARI event has reached the service for a while: the flow's last events are in. */
async function quiet(pbx: Pbx): Promise<void> {
  let count = -1;
  while (count !== pbx.seen.length) {
    count = pbx.seen.length;
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  }
}

/** The service holds a call parked on `place`, and its caller is in a holding bridge. */
const parkedOn = (pbx: Pbx, place: string) =>
  until(`a call parked on ${place}, in a holding bridge`, async () => {
    const call = pbx.service.service.ctx.lots.all().find((c) => c.placeKey === place && c.state === 'PARKED');
    return call && (await pbx.bridgeOf(call.callerChannelId))?.type === 'holding' ? call : null;
  });

/**
 * `a` and `b` talk, and the service has finished connecting them (Asterisk's answers are in and
 * the park is closed): a phone acting earlier would race the connection itself, a case of its own
 * (parking.test.ts "[R7] ... just as ...").
 */
async function bridged(pbx: Pbx, a: string, b: string) {
  await until(`${a} and ${b} in one bridge`, async () => (await pbx.bridgeOf(a))?.channels.includes(b));
  await until('the service to have connected them', () => !pbx.service.service.ctx.lots.all().some((c) => c.callerChannelId === a || c.callerChannelId === b));
}

async function gone(pbx: Pbx, leg: Leg) {
  await until(`${leg.number}'s channel to end`, async () => !(await pbx.alive(leg.channelId)));
}

async function lamp(pbx: Pbx, device: string, state: string) {
  await until(`${device} to be ${state}`, async () => (await pbx.deviceState(device)) === state);
}

/** 102 calls the receptionist 101, who answers. */
async function callToReceptionist(pbx: Pbx, caller = '102') {
  await pbx.phonesOn('101');
  return pbx.call(caller, '101');
}

async function rowOf(pbx: Pbx, id: string) {
  await pbx.service.store.drained();
  return pbx.prisma.parkedCall.findUniqueOrThrow({ where: { id }, include: { events: { orderBy: { id: 'asc' } } } });
}

describe(`the service's ARI view on ${REAL ? `a real Asterisk (${process.env.ARI_URL})` : 'the fake Asterisk'} matches a real Asterisk's`, () => {
  flow('[P1][P5][R1] blind transfer to *70333, retrieval with *71333', {}, async (pbx) => {
    const { caller, callee: reception } = await callToReceptionist(pbx);
    await pbx.blindTransfer(reception, '*70333');
    const parked = await parkedOn(pbx, '333');
    expect(parked).toMatchObject({ method: 'BLIND_TRANSFER', callerChannelId: caller.channelId, parker: { extension: '101' } });
    expect((await pbx.bridgeOf(caller.channelId))?.type).toBe('holding');
    await lamp(pbx, 'Stasis:park-acme-333', 'INUSE');
    await until('a text message to 101', () => pbx.messagesTo('101').some((m) => m.includes('*71333')));

    const retriever = await pbx.dial('201', '*71333');
    await bridged(pbx, caller.channelId, retriever.channelId);
    await lamp(pbx, 'Stasis:park-acme-333', 'NOT_INUSE');
    await pbx.hangup(retriever);
    await gone(pbx, caller);
    expect(await rowOf(pbx, parked.id)).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201' });
  });

  flow('[R1] *71333 with nothing parked', {}, async (pbx) => {
    const retriever = await pbx.dial('201', '*71333');
    await gone(pbx, retriever);
    expect(pbx.played(retriever.channelId)).toContain('sound:pbx-invalidpark');
  });

  flow('[R7] a parked caller hangs up', {}, async (pbx) => {
    const { caller, callee: reception } = await callToReceptionist(pbx);
    await pbx.blindTransfer(reception, '7001');
    const parked = await parkedOn(pbx, '7001');
    await lamp(pbx, 'Stasis:park-acme-7001', 'INUSE');
    await pbx.hangup(caller);
    await lamp(pbx, 'Stasis:park-acme-7001', 'NOT_INUSE');
    await until('the park to end', () => pbx.service.service.ctx.lots.all().length === 0);
    expect(await rowOf(pbx, parked.id)).toMatchObject({ state: 'ENDED', outcome: 'ABANDONED' });
  });

  flow('[P5] hold, dial *70333, hang up: the held caller is parked', {}, async (pbx) => {
    const { caller, callee: reception } = await callToReceptionist(pbx);
    await pbx.hold(reception);
    const consult = await pbx.dial('101', '*70333');
    await until('the announcement', () => pbx.played(consult.channelId).includes('digits:*71333'));
    await pbx.hangup(consult);
    const parked = await parkedOn(pbx, '333');
    expect(parked.method).toBe('HOLD_AND_DIAL');
    await gone(pbx, reception);
    expect((await pbx.bridgeOf(caller.channelId))?.type).toBe('holding');
    await pbx.hangup(caller);
  });

  flow('[P5] attended transfer to *707001, retrieval by dialling 7001', {}, async (pbx) => {
    const { caller, callee: reception } = await callToReceptionist(pbx);
    await pbx.hold(reception);
    const consult = await pbx.dial('101', '*707001');
    await until('the announcement', () => pbx.played(consult.channelId).includes('digits:7001'));
    await pbx.attendedTransfer(reception, consult);
    const parked = await parkedOn(pbx, '7001');
    expect(parked.method).toBe('ATTENDED_TRANSFER');
    await gone(pbx, consult);
    await gone(pbx, reception);

    const retriever = await pbx.dial('201', '7001');
    await bridged(pbx, caller.channelId, retriever.channelId);
    await pbx.hangup(caller);
    await gone(pbx, retriever);
  });

  flow('[P5][P3] retrieved with *71333, then blind-transferred by the retriever to 7003: parked again by 201', {}, async (pbx) => {
    const { caller, callee: reception } = await callToReceptionist(pbx);
    await pbx.blindTransfer(reception, '*70333');
    const first = await parkedOn(pbx, '333');
    await lamp(pbx, 'Stasis:park-acme-333', 'INUSE');
    const retriever = await pbx.dial('201', '*71333');
    await bridged(pbx, caller.channelId, retriever.channelId);
    await pbx.blindTransfer(retriever, '7003');
    const second = await parkedOn(pbx, '7003');
    expect(second).toMatchObject({ callerChannelId: caller.channelId, callerNumber: '102', method: 'BLIND_TRANSFER', parker: { extension: '201' } });
    await gone(pbx, retriever);
    await lamp(pbx, 'Stasis:park-acme-7003', 'INUSE');
    expect(await rowOf(pbx, first.id)).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201' });

    const taker = await pbx.dial('202', '7003');
    await bridged(pbx, caller.channelId, taker.channelId);
    await pbx.hangup(caller);
    await gone(pbx, taker);
    expect(await rowOf(pbx, second.id)).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '202', parkerExtension: '201', callerNumber: '102' });
  });

  flow('[P5] retrieved with *71333, then attended-transferred by the retriever to *707002: parked again by 201', {}, async (pbx) => {
    const { caller, callee: reception } = await callToReceptionist(pbx);
    await pbx.blindTransfer(reception, '*70333');
    await parkedOn(pbx, '333');
    await lamp(pbx, 'Stasis:park-acme-333', 'INUSE');
    const retriever = await pbx.dial('201', '*71333');
    await bridged(pbx, caller.channelId, retriever.channelId);
    await pbx.hold(retriever);
    const consult = await pbx.dial('201', '*707002');
    // The whole announcement, as a person would listen to it before completing the transfer.
    await until('the announcement to end', () =>
      pbx.seen.some((e) => e.type === 'PlaybackFinished' && e.event.playback?.target_uri === `channel:${consult.channelId}`),
    );
    await pbx.attendedTransfer(retriever, consult);
    const again = await parkedOn(pbx, '7002');
    expect(again).toMatchObject({ callerChannelId: caller.channelId, method: 'ATTENDED_TRANSFER', parker: { extension: '201' } });
    await gone(pbx, consult);
    await gone(pbx, retriever);
    await pbx.hangup(caller);
    await until('the park to end', () => pbx.service.service.ctx.lots.all().length === 0);
    expect(await rowOf(pbx, again.id)).toMatchObject({ outcome: 'ABANDONED', parkerExtension: '201' });
  });

  flow('[C1] an answered recall, then the parker blind-transfers the caller to 202', { tenant: { recallTimerSec: 3 } }, async (pbx) => {
    await pbx.phonesOn('202');
    const { caller, callee: reception } = await callToReceptionist(pbx);
    await pbx.blindTransfer(reception, '7001');
    await parkedOn(pbx, '7001');
    await lamp(pbx, 'Stasis:park-acme-7001', 'INUSE');
    await gone(pbx, reception);
    await pbx.passTime(3000);
    const ringBack = await pbx.nextCallTo('101');
    await bridged(pbx, caller.channelId, ringBack.channelId);
    await pbx.blindTransfer(ringBack, '202');
    const callee = await pbx.nextCallTo('202');
    await gone(pbx, ringBack);
    expect(await pbx.alive(caller.channelId)).toBe(true);
    await pbx.hangup(callee);
    await gone(pbx, caller);
  });

  flow(
    '[R6] retrieval with a PIN: a wrong one, then the right one',
    { slots: [{ number: '7001' }, { number: '7002', pin: '1234', retrieveAllow: ['202'] }] },
    async (pbx) => {
      const { caller, callee: reception } = await callToReceptionist(pbx);
      await pbx.blindTransfer(reception, '7002');
      const parked = await parkedOn(pbx, '7002');
      const retriever = await pbx.dial('201', '7002');
      const prompts = () => pbx.played(retriever.channelId).filter((m) => m === 'sound:agent-pass').length;
      await until('the PIN prompt', () => prompts() === 1);
      await pbx.dtmf(retriever, '9999#');
      // "Password incorrect, please enter your password": the user types during it (type-ahead).
      await until('"incorrect"', () => pbx.played(retriever.channelId).includes('sound:auth-incorrect'));
      await pbx.dtmf(retriever, '1234#');
      await bridged(pbx, caller.channelId, retriever.channelId);
      await pbx.hangup(retriever);
      await gone(pbx, caller);
      expect(await rowOf(pbx, parked.id)).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '201' });
    },
  );

  flow('[C1] nobody retrieves: the parker is rung back and answers', { tenant: { recallTimerSec: 3 } }, async (pbx) => {
    const { caller, callee: reception } = await callToReceptionist(pbx);
    await pbx.blindTransfer(reception, '7001');
    const parked = await parkedOn(pbx, '7001');
    await lamp(pbx, 'Stasis:park-acme-7001', 'INUSE'); // lit after the recall timer is armed
    await gone(pbx, reception);
    await pbx.passTime(3000);
    const ringBack = await pbx.nextCallTo('101');
    await bridged(pbx, caller.channelId, ringBack.channelId);
    await pbx.hangup(ringBack);
    await gone(pbx, caller);
    const row = await rowOf(pbx, parked.id);
    // History names who answered: the parker 101, not the caller (issue 13).
    expect(row).toMatchObject({ outcome: 'RECALL_ANSWERED', retrievedBy: '101' });
    expect(row.events.find((e) => e.type === 'recall_answered')?.details).toMatchObject({ by: '101', endpoint: 'PJSIP/101' });
  });

  flow('[O5] the service restarts with a caller parked: adopted, and retrieved afterwards', {}, async (pbx) => {
    const { caller, callee: reception } = await callToReceptionist(pbx);
    await pbx.blindTransfer(reception, '7001');
    const parked = await parkedOn(pbx, '7001');
    await lamp(pbx, 'Stasis:park-acme-7001', 'INUSE');
    await pbx.restartService();
    const adopted = await parkedOn(pbx, '7001');
    expect(adopted).toMatchObject({ id: parked.id, callerChannelId: caller.channelId });
    expect(await pbx.deviceState('Stasis:park-acme-7001')).toBe('INUSE');
    const retriever = await pbx.dial('202', '7001');
    await bridged(pbx, caller.channelId, retriever.channelId);
    await pbx.hangup(caller);
    await gone(pbx, retriever);
    expect(await rowOf(pbx, parked.id)).toMatchObject({ outcome: 'RETRIEVED', retrievedBy: '202' });
  });

  flow(
    '[P4][R2][B2][B4] group park with *58, a non-member refused, group retrieve with *71',
    { tenant: { groupParkCodes: ['*58'] }, groups: [{ name: 'Front desk', members: ['101', '201', '202'], destinations: ['7003', '7001'] }] },
    async (pbx) => {
      await pbx.phonesOn('201', '202');
      const { caller, callee: reception } = await callToReceptionist(pbx, '103');
      await pbx.blindTransfer(reception, '*58');
      const parked = await parkedOn(pbx, '7003');
      expect(parked.callerChannelId).toBe(caller.channelId);
      await lamp(pbx, `Stasis:${lampName.group('acme', 'Front desk')}`, 'INUSE');
      for (const member of ['201', '202']) await until(`a text message to ${member}`, () => pbx.messagesTo(member).some((m) => /103 parked on 7003 by 101/.test(m)));

      const outsider = await pbx.dial('333', '*58');
      await gone(pbx, outsider);
      expect(pbx.played(outsider.channelId)).toContain('sound:ss-noservice');

      const retriever = await pbx.dial('202', '*71');
      await bridged(pbx, caller.channelId, retriever.channelId);
      await lamp(pbx, `Stasis:${lampName.group('acme', 'Front desk')}`, 'NOT_INUSE');
      await pbx.hangup(caller);
      await gone(pbx, retriever);
    },
  );
});
