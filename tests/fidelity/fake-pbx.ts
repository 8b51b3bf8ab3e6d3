/** The fidelity scenarios' PBX on the fake Asterisk (tests/support/harness.ts). */
import { startHarness } from '../support/harness';
import type { SeedOptions } from '../support/seed';
import { until, type Leg, type Pbx } from './pbx';
import type { RawAriEvent } from './transcript';

export async function startFakePbx(seed: SeedOptions = {}): Promise<Pbx> {
  // Prompts take time, as on a real Asterisk, so that a phone can act while one plays.
  const h = await startHarness({ seed, fake: { playbackMs: 300 } });
  const { fake } = h;
  const seen: RawAriEvent[] = [];
  const record = () => h.running.connection.on('ari-event', (type: string, event: Record<string, any>) => seen.push({ type, event }));
  record();
  // As on a real Asterisk, a phone nobody switched on is not registered.
  const numbers = (await h.db.prisma.extension.findMany()).map((e) => e.number);
  for (const number of numbers) fake.setPhoneBehavior(number, 'unreachable');
  const leg = (number: string, channelId: string): Leg => ({ number, channelId });
  const ringing = new Map<string, number>(); // calls to a phone already answered in a scenario step

  return {
    target: 'fake',
    get service() {
      return h.running;
    },
    prisma: h.db.prisma,
    tenantId: h.tenantId,
    seen,
    async phonesOn(...list) {
      for (const number of list) fake.setPhoneBehavior(number, 'answer');
    },
    async call(from, to) {
      const call = fake.call(from, to);
      ringing.set(to, fake.phone(to).invites.length);
      return { caller: leg(from, call.callerChannelId), callee: leg(to, call.calleeChannelId) };
    },
    async dial(from, code) {
      return leg(from, fake.dial(from, code));
    },
    async blindTransfer(l, code) {
      fake.blindTransfer(l.channelId, code);
    },
    async hold(l) {
      fake.holdCall(l.channelId);
    },
    async attendedTransfer(held, consult) {
      fake.attendedTransfer(held.channelId, consult.channelId);
    },
    async dtmf(l, digits) {
      // One key at a time, as a phone sends them (RFC 4733 events some 100 ms apart).
      for (const digit of digits) {
        fake.sendDtmf(l.channelId, digit);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
    async hangup(l) {
      fake.hangup(l.channelId);
    },
    async nextCallTo(number) {
      const taken = ringing.get(number) ?? 0;
      const invite = await until(`a call to ${number}`, () => fake.phone(number).invites[taken]);
      ringing.set(number, taken + 1);
      return leg(number, invite.channelId);
    },
    messagesTo: (number) => fake.phone(number).messages.map((m) => m.body),
    // Each media item as it starts (a prompt's later items are not heard yet), as ARI tells.
    played: (channelId) =>
      [...fake.eventsOf('PlaybackStarted'), ...fake.eventsOf('PlaybackContinuing')]
        .map((e) => e.playback as { target_uri: string; media_uri: string })
        .filter((p) => p.target_uri === `channel:${channelId}`)
        .map((p) => p.media_uri),
    deviceState: async (name) => fake.deviceState(name),
    async bridgeOf(channelId) {
      const bridge = fake.bridgeOf(channelId);
      return bridge ? { type: bridge.bridge_type, channels: bridge.channels } : null;
    },
    alive: async (channelId) => fake.channel(channelId) !== undefined,
    async restartService() {
      await h.restartService();
      record();
    },
    async passTime(ms) {
      h.clock.advance(ms);
    },
    stop: () => h.stop(),
  };
}
