/**
 * A PBX with phones, as the fidelity scenarios drive it: either the fake Asterisk (phones are
 * its control calls) or a real Asterisk 22 (phones are sipp, tests/e2e/support). The scenario
 * code is the same for both; only `ARI_URL` chooses.
 */
import type { PrismaClient } from '../../generated/prisma/client';
import type { RunningService } from '../../apps/parking/src/main';
import type { SeedOptions } from '../support/seed';
import type { RawAriEvent } from './transcript';

/** One phone's side of a call. */
export interface Leg {
  readonly number: string;
  /** Asterisk's channel id of this side. */
  readonly channelId: string;
}

export interface Pbx {
  readonly target: 'fake' | 'real';
  readonly service: RunningService;
  readonly prisma: PrismaClient;
  readonly tenantId: string;
  /** The raw ARI events the service received (the kinds it reacts to), in order. */
  readonly seen: RawAriEvent[];

  /** Switches phones on (registers them): only they can be rung and get messages. */
  phonesOn(...numbers: string[]): Promise<void>;
  /** `from` calls `to`, who answers: a two-party call. */
  call(from: string, to: string): Promise<{ caller: Leg; callee: Leg }>;
  /** `from` dials a feature code or place on a new line; resolves once Asterisk has its channel. */
  dial(from: string, code: string): Promise<Leg>;
  blindTransfer(leg: Leg, code: string): Promise<void>;
  hold(leg: Leg): Promise<void>;
  /** The phone joins its held call (`held`) to its consult call (`consult`): REFER with Replaces. */
  attendedTransfer(held: Leg, consult: Leg): Promise<void>;
  dtmf(leg: Leg, digits: string): Promise<void>;
  hangup(leg: Leg): Promise<void>;
  /** The next call that rings phone `number` (already answered: phones answer at once). */
  nextCallTo(number: string): Promise<Leg>;

  messagesTo(number: string): string[];
  /** Media played to a channel, in order: sound:..., digits:... */
  played(channelId: string): string[];
  deviceState(name: string): Promise<string>;
  bridgeOf(channelId: string): Promise<{ type: string; channels: string[] } | null>;
  alive(channelId: string): Promise<boolean>;
  /** Stops the service gracefully and starts a new instance on the same database (O5). */
  restartService(): Promise<void>;
  /** Lets time pass for the service: a manual clock's advance on the fake, a sleep on a real Asterisk. */
  passTime(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export type StartPbx = (seed?: SeedOptions) => Promise<Pbx>;

/** Polls until `check` returns a truthy value. */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
