import { allocatePlace } from '../../../apps/parking/src/domain/allocate';
import { ParkingError } from '../../../apps/parking/src/domain/errors';
import { tenantConfig } from '../../support/tenant-config';

const taken = (...keys: string[]) => (key: string) => keys.includes(key);
const noRandom = () => 0;

function errorId(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof ParkingError) return err.id;
    throw err;
  }
  throw new Error('no error');
}

describe('allocatePlace', () => {
  it('[P2] prefix alone takes the first free slot in numeric order', () => {
    const config = tenantConfig({}, { slots: [{ number: '7010' }, { number: '7002' }, { number: '7001' }] });
    config.slotOrder = ['7001', '7002', '7010'];
    expect(allocatePlace({ config, target: 'auto', parker: '101', isTaken: taken('7001'), random: noRandom })).toEqual({ kind: 'SLOT', number: '7002' });
  });

  it('[P2][P8] a full lot is refused with lot-full', () => {
    const config = tenantConfig();
    expect(errorId(() => allocatePlace({ config, target: 'auto', parker: '101', isTaken: taken('7001', '7002', '7003'), random: noRandom }))).toBe('lot-full');
  });

  it('[P2] random-code mode draws a free code of the configured length', () => {
    const config = tenantConfig({ parkMode: 'RANDOM_CODE', randomCodeDigits: 4 });
    const draws = [7250, 7250, 31];
    const random = () => draws.shift()!;
    expect(allocatePlace({ config, target: 'auto', parker: '101', isTaken: taken('*7250'), random })).toEqual({ kind: 'CODE', code: '0031' });
  });

  it('[P3] an occupied slot is refused under REJECT, and the next free one is taken under NEXT_FREE', () => {
    const reject = tenantConfig();
    const target = { kind: 'SLOT' as const, number: '7002' };
    expect(errorId(() => allocatePlace({ config: reject, target, parker: '101', isTaken: taken('7002'), random: noRandom }))).toBe('slot-occupied');
    const next = tenantConfig({ occupiedSlotPolicy: 'NEXT_FREE' });
    expect(allocatePlace({ config: next, target, parker: '101', isTaken: taken('7002', '7003'), random: noRandom })).toEqual({ kind: 'SLOT', number: '7001' });
  });

  it('[R6] a slot with a park access list refuses others', () => {
    const config = tenantConfig({}, { slots: [{ number: '7001', parkAllow: ['201'] }] });
    const target = { kind: 'SLOT' as const, number: '7001' };
    expect(errorId(() => allocatePlace({ config, target, parker: '101', isTaken: taken(), random: noRandom }))).toBe('not-allowed');
    expect(allocatePlace({ config, target, parker: '201', isTaken: taken(), random: noRandom })).toEqual(target);
  });

  it('[P1] an extension place holds one call', () => {
    const config = tenantConfig();
    const target = { kind: 'EXTENSION' as const, number: '333' };
    expect(allocatePlace({ config, target, parker: '101', isTaken: taken(), random: noRandom })).toEqual(target);
    expect(errorId(() => allocatePlace({ config, target, parker: '101', isTaken: taken('333'), random: noRandom }))).toBe('slot-occupied');
  });

  it('[P4] a group hunts its destinations in order, or its members', () => {
    const config = tenantConfig({}, { groups: [{ id: 'g', name: 'Front desk', members: ['101', '102'], destinations: ['7003', '7001'] }] });
    const group = config.groups.get('g')!;
    expect(allocatePlace({ config, target: { group }, parker: '101', isTaken: taken('7003'), random: noRandom })).toEqual({ kind: 'SLOT', number: '7001' });
    const members = { ...group, useMembersAsDestinations: true };
    expect(allocatePlace({ config, target: { group: members }, parker: '101', isTaken: taken('101'), random: noRandom })).toEqual({ kind: 'EXTENSION', number: '102' });
    expect(errorId(() => allocatePlace({ config, target: { group }, parker: '101', isTaken: taken('7001', '7003'), random: noRandom }))).toBe('lot-full');
  });
});
