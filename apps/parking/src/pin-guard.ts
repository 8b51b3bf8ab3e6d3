import type { Logger } from 'pino';
import type { ConfigSource, EventSink } from './ports';

export interface PinGuardOptions {
  verify: (hash: string, pin: string) => Promise<boolean>;
  now: () => number;
  log: Logger;
  events: EventSink;
  configs: Pick<ConfigSource, 'allTenants'>;
  /** Wrong PINs for one slot, from any phone and any call, before its PIN is locked. */
  maxFailures?: number;
  /** The window those failures are counted in, and how long the lock lasts. */
  windowMs?: number;
  lockMs?: number;
}

/**
 * A retrieval PIN has 4 digits: re-asking a few times per call is no bound when a caller can
 * call again. Wrong PINs are counted per slot (its hash: salts are per slot) across calls;
 * after `maxFailures` within the window the slot's PIN is locked for `lockMs` — every PIN is
 * refused unchecked — with an event (pin_locked) and a log line (issue 14).
 */
export function guardPins(o: PinGuardOptions): (hash: string, pin: string) => Promise<boolean> {
  const max = o.maxFailures ?? 5;
  const windowMs = o.windowMs ?? 10 * 60_000;
  const lockMs = o.lockMs ?? 5 * 60_000;
  const failures = new Map<string, number[]>();
  const lockedUntil = new Map<string, number>();

  const announce = async (hash: string, until: number) => {
    const tenants = await o.configs.allTenants().catch(() => []);
    for (const config of tenants) {
      for (const slot of config.slots.values()) {
        if (slot.pinHash !== hash) continue;
        o.log.warn({ tenant: config.settings.slug, slot: slot.number, failures: max, until: new Date(until).toISOString() }, 'slot PIN locked after wrong PINs');
        o.events.publish({ type: 'pin_locked', tenantId: config.settings.id, parkedCallId: null, data: { slot: slot.number, failures: max, until: new Date(until).toISOString() } });
        return;
      }
    }
    o.log.warn({ failures: max }, 'a PIN was locked after wrong PINs (slot not found)');
  };

  // One .then, not an async wrapper: the retrieval flow after a right PIN keeps its timing.
  return (hash, pin) => {
    const now = o.now();
    if ((lockedUntil.get(hash) ?? 0) > now) return Promise.resolve(false);
    lockedUntil.delete(hash);
    return o.verify(hash, pin).then((ok) => (ok ? (failures.delete(hash), true) : counted(hash, now)));
  };

  function counted(hash: string, now: number): boolean {
    const recent = (failures.get(hash) ?? []).filter((t) => t > now - windowMs);
    recent.push(now);
    if (recent.length >= max) {
      failures.delete(hash);
      lockedUntil.set(hash, now + lockMs);
      void announce(hash, now + lockMs);
    } else {
      failures.set(hash, recent);
    }
    return false;
  }
}
