/**
 * Helpers shared by the test files: a test world per file, the steps of a flow as separate
 * tests that stop at the first failure, and the calls most flows start with.
 */
import type { ParkedCall } from '../../../apps/parking/src/domain/parked-call';
import { waitBridged } from './asterisk';
import { startWorld, type World } from './harness';
import type { Line, Phone, PhoneCall } from './phones';
import type { SeedOptions } from '../../support/seed';
import { waitFor } from './wait';

type Step = (title: string, fn: () => Promise<void>, timeoutMs?: number) => void;

/**
 * Declares the file's world (beforeAll/afterAll) and `flow`, a describe whose tests are the
 * steps of one call flow, in order:
 * - `step`: the flow goes on from what it did; when it fails, the following steps fail at once;
 * - `check`: an observation along the way (a message, a lamp); its failure fails only itself.
 * Any failure keeps the sipp logs for a look afterwards.
 */
export function e2eFile(seed: SeedOptions = {}) {
  const ctx = { world: undefined as unknown as World, failed: false };
  beforeAll(async () => {
    ctx.world = await startWorld(seed);
  }, 90_000);
  afterAll(async () => {
    await ctx.world?.stop(ctx.failed);
  }, 90_000);

  function flow(name: string, define: (step: Step, check: Step) => void): void {
    describe(name, () => {
      let broken: string | null = null;
      afterAll(async () => {
        await ctx.world?.settle();
      }, 60_000);
      const declare =
        (breaksFlow: boolean): Step =>
        (title, fn, timeoutMs) => {
          it(
            title,
            async () => {
              if (broken) throw new Error(`not run: an earlier step of this flow failed ("${broken}")`);
              try {
                await fn();
              } catch (err) {
                if (breaksFlow) broken = title;
                ctx.failed = true;
                throw err;
              }
            },
            timeoutMs,
          );
        };
      define(declare(true), declare(false));
    });
  }
  return { ctx, flow };
}

export const sipUri = (world: World, user: string, params = '') => `<sip:${user}@${world.env.sipHost}:${world.env.sipPort}${params}>`;

/**
 * `caller` calls `callee` (registered), who answers: the call everything starts from. `dialled`:
 * what the caller dials when it is not the callee's endpoint name (a second tenant's `101`).
 */
export async function connectedCall(
  world: World,
  caller: string,
  callee: Phone,
  dialled = callee.number,
): Promise<{ line: Line; answered: PhoneCall; callerChannel: string; calleeChannel: string }> {
  const line = await world.phones.call(caller, dialled);
  const answered = await callee.nextCall();
  await line.answered();
  await answered.answered();
  const [callerChannel] = await waitFor(`${caller}'s channel`, async () => {
    const channels = await world.asterisk.channelsOf(caller);
    return channels.length === 1 ? channels.map((c) => c.id) : null;
  });
  const [calleeChannel] = await waitFor(`${callee.number}'s channel`, async () => {
    const channels = await world.asterisk.channelsOf(callee.number);
    return channels.length === 1 ? channels.map((c) => c.id) : null;
  });
  await waitBridged(world.asterisk, callerChannel, calleeChannel);
  return { line, answered, callerChannel, calleeChannel };
}

/** Waits until the service holds a parked call at `place`. */
export function waitParked(world: World, place: string, timeoutMs = 10_000): Promise<ParkedCall> {
  return waitFor(`a call parked on ${place}`, () => world.service.service.ctx.lots.all().find((c) => c.placeKey === place && c.state === 'PARKED'), {
    timeoutMs,
    detail: () => describeWorld(world),
  });
}

/** Waits for the database row of a park, in the given state. */
export async function waitRow(world: World, where: { id?: string; place?: string }, state: 'PARKED' | 'RECALLING' | 'ENDED', timeoutMs = 10_000) {
  return waitFor(
    `the parkedCall row${where.id ? ` ${where.id}` : ''}${where.place ? ` on ${where.place}` : ''} in state ${state}`,
    () => world.prisma.parkedCall.findFirst({ where: { tenantId: world.tenantId, ...where, state }, include: { events: { orderBy: { id: 'asc' } } } }),
    { timeoutMs, detail: async () => JSON.stringify(await world.prisma.parkedCall.findMany({ where: { tenantId: world.tenantId } })) },
  );
}

/** The service's lots and Asterisk's channels and bridges, for failure messages. */
export async function describeWorld(world: World): Promise<string> {
  const lots = world.service.service.ctx.lots.all().map((c) => ({ place: c.placeKey, state: c.state, method: c.method, channel: c.callerChannelId }));
  const channels = await world.asterisk.channels().catch(() => []);
  const bridges = await world.asterisk.bridges().catch(() => []);
  return [
    `service lots: ${JSON.stringify(lots)}`,
    `service events: ${world.events.slice(-12).map((e) => `${e.type} ${JSON.stringify(e.data)}`).join(' | ')}`,
    `channels: ${JSON.stringify(channels.map((c) => `${c.id} ${c.name} ${c.state} ${c.dialplan?.context},${c.dialplan?.exten}`))}`,
    `bridges: ${JSON.stringify(bridges.map((b) => `${b.id} ${b.bridge_type} [${b.channels.join(',')}]`))}`,
    ...world.sipp.running.map((s) => s.describe()),
  ].join('\n');
}
