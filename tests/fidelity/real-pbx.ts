/**
 * The fidelity scenarios' PBX on a real Asterisk 22: the end-to-end suite's world (database,
 * service, dialplan installed in Asterisk) with sipp phones. Needs what tests/e2e/README.md says.
 */
import { waitBridged } from '../e2e/support/asterisk';
import { startWorld } from '../e2e/support/harness';
import type { Line, Phone, PhoneCall } from '../e2e/support/phones';
import { sipUri } from '../e2e/support/steps';
import type { SeedOptions } from '../support/seed';
import { until, type Leg, type Pbx } from './pbx';
import type { RawAriEvent } from './transcript';

export async function startRealPbx(seed: SeedOptions = {}): Promise<Pbx> {
  const world = await startWorld(seed);
  const seen: RawAriEvent[] = [];
  const record = () => world.service.connection.on('ari-event', (type: string, event: Record<string, any>) => seen.push({ type, event }));
  record();
  const phones = new Map<string, Phone>();
  const sides = new Map<string, Line | PhoneCall>(); // channel id -> the sipp side that controls it

  /** The first channel of phone `number` Asterisk told about that no leg has yet. */
  const channelOf = (number: string, matches: (c: { dialplan?: { exten?: string } }) => boolean = () => true) =>
    until(`a new channel of ${number}`, () =>
      world.ariEvents.events
        .map((e) => e.channel as { id: string; name: string; dialplan?: { exten?: string } } | undefined)
        .find((c) => c && c.name.startsWith(`PJSIP/${number}-`) && !sides.has(c.id) && matches(c)),
    );
  const leg = (number: string, channelId: string, side: Line | PhoneCall): Leg => {
    sides.set(channelId, side);
    return { number, channelId };
  };
  const sideOf = (l: Leg) => sides.get(l.channelId)!;
  const phone = (number: string) => {
    const p = phones.get(number);
    if (!p) throw new Error(`phone ${number} is not switched on (phonesOn)`);
    return p;
  };

  return {
    target: 'real',
    get service() {
      return world.service;
    },
    prisma: world.prisma,
    tenantId: world.tenantId,
    seen,
    async phonesOn(...numbers) {
      for (const number of numbers) phones.set(number, await world.phones.register(number));
    },
    async call(from, to) {
      const line = await world.phones.call(from, to);
      const answered = await phone(to).nextCall();
      await line.answered();
      await answered.answered();
      const caller = leg(from, (await channelOf(from, (c) => c.dialplan?.exten === to)).id, line);
      const callee = leg(to, (await channelOf(to)).id, answered);
      await waitBridged(world.asterisk, caller.channelId, callee.channelId);
      return { caller, callee };
    },
    async dial(from, code) {
      const line = await world.phones.call(from, code);
      return leg(from, (await channelOf(from, (c) => c.dialplan?.exten === code)).id, line);
    },
    blindTransfer: (l, code) => sideOf(l).transfer(sipUri(world, code)),
    hold: (l) => sideOf(l).hold(),
    async attendedTransfer(held, consult) {
      const line = sideOf(consult) as Line;
      const { callId, localTag, remoteTag } = line.dialog();
      const replaces = encodeURIComponent(`${callId};to-tag=${remoteTag};from-tag=${localTag}`);
      await sideOf(held).transfer(sipUri(world, line.to, `?Replaces=${replaces}`));
    },
    async dtmf(l, digits) {
      const side = sideOf(l);
      if (!('dtmf' in side)) throw new Error('only a call the phone placed sends DTMF in these scenarios');
      await side.dtmf(digits);
    },
    hangup: (l) => sideOf(l).hangup(),
    async nextCallTo(number) {
      const call = await phone(number).nextCall(30_000);
      await call.answered();
      return leg(number, (await channelOf(number)).id, call);
    },
    messagesTo: (number) => phones.get(number)?.messages().map((m) => m.body.trim()) ?? [],
    played: (channelId) =>
      world.ariEvents.events
        .filter((e) => (e.type === 'PlaybackStarted' || e.type === 'PlaybackContinuing') && e.playback?.target_uri === `channel:${channelId}`)
        .map((e) => e.playback!.media_uri),
    deviceState: (name) => world.asterisk.deviceState(name),
    async bridgeOf(channelId) {
      const bridge = await world.asterisk.bridgeOf(channelId);
      return bridge ? { type: bridge.bridge_type, channels: bridge.channels } : null;
    },
    alive: async (channelId) => (await world.asterisk.channel(channelId)) !== null,
    async restartService() {
      await world.restartService();
      record();
    },
    passTime: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async stop() {
      let failed = false;
      try {
        await world.settle();
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        await world.stop(failed);
      }
    },
  };
}
