import { guardPins } from '../../apps/parking/src/pin-guard';
import { createLogger } from '../../apps/parking/src/logger';
import type { ParkingEvent } from '../../apps/parking/src/ports';
import { tenantConfig } from '../support/tenant-config';

describe('[SEC] PIN lockout across calls', () => {
  it('[SEC] after 5 wrong PINs for a slot from any call, its PIN is refused unchecked for a while, with an event and a log line', async () => {
    let now = 0;
    const checked: string[] = [];
    const published: Array<Omit<ParkingEvent, 'id' | 'at' | 'seq'>> = [];
    const lines: string[] = [];
    const log = createLogger('warn');
    jest.spyOn(log, 'warn').mockImplementation(((obj: unknown, msg: string) => void lines.push(msg)) as never);
    const config = tenantConfig({}, { slots: [{ number: '7001', pinHash: 'hash-7001' }, { number: '7002', pinHash: 'hash-7002' }] });
    const verify = guardPins({
      verify: async (hash, pin) => (checked.push(`${hash}:${pin}`), pin === '4321'),
      now: () => now,
      log,
      events: { publish: (e) => published.push(e) },
      configs: { allTenants: async () => [config] },
      maxFailures: 5,
      windowMs: 600_000,
      lockMs: 300_000,
    });
    for (let i = 0; i < 4; i++) expect(await verify('hash-7001', String(1000 + i))).toBe(false);
    expect(await verify('hash-7001', '4321')).toBe(true); // a right PIN resets the count
    for (let i = 0; i < 5; i++) expect(await verify('hash-7001', String(2000 + i))).toBe(false);
    await new Promise(setImmediate);
    expect(published).toEqual([{ type: 'pin_locked', tenantId: 't1', parkedCallId: null, data: { slot: '7001', failures: 5, until: new Date(300_000).toISOString() } }]);
    expect(lines).toContain('slot PIN locked after wrong PINs');
    // Locked: even the right PIN is refused, without being checked; other slots are unaffected.
    checked.length = 0;
    expect(await verify('hash-7001', '4321')).toBe(false);
    expect(checked).toEqual([]);
    expect(await verify('hash-7002', '4321')).toBe(true);
    now = 300_001;
    expect(await verify('hash-7001', '4321')).toBe(true);
  });
});
