import type { ParkedCall } from '../domain/parked-call';
import type { ServiceContext } from './context';

// Stopping a recall (its timer, its ring-backs) is needed by every end of a park, arming it
// only by the recall itself and by a failed connection: apart, neither imports the other.

export function cancelRecall(ctx: ServiceContext, call: ParkedCall): void {
  ctx.timers.get(call.id)?.();
  ctx.timers.delete(call.id);
}

/** Hangs up every ring-back still ringing, except `keep`; a retrieval elsewhere ends them (C3). */
export async function hangUpRingBacks(ctx: ServiceContext, call: ParkedCall, keep: string | null): Promise<void> {
  const others = call.ringing.filter((id) => id !== keep);
  call.ringing = keep && call.ringing.includes(keep) ? [keep] : [];
  await Promise.all(others.map((id) => ctx.ari.hangup(id, 'answered_elsewhere').catch(() => undefined)));
}
