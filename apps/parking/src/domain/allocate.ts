import { ParkingError } from './errors';
import { placeKey, type Place } from './codes';
import type { GroupInfo, TenantConfig } from './tenant';
import { mayPark } from './access';

export type ParkTarget = Place | 'auto' | { group: GroupInfo };

export interface AllocationInput {
  config: TenantConfig;
  target: ParkTarget;
  /** The parker's extension number, when known. */
  parker: string | null;
  isTaken: (placeKey: string) => boolean;
  /** A random integer in [0, n). Injected so tests and the domain stay deterministic. */
  random: (n: number) => number;
}

/**
 * Decides where a call is parked, or why it cannot be. Pure: the caller reserves the
 * returned place synchronously, before anything is awaited.
 */
export function allocatePlace(input: AllocationInput): Place {
  const { config, target, parker, isTaken } = input;

  if (target === 'auto') {
    if (config.settings.parkMode === 'RANDOM_CODE') return randomCode(input);
    return firstFree(config.slotOrder, config, parker, isTaken, 'no call park extension is free');
  }

  if ('group' in target) {
    const group = target.group;
    if (group.useMembersAsDestinations) {
      const free = group.members.find((number) => !isTaken(number));
      if (free === undefined) throw new ParkingError('lot-full', `every member of ${group.name} has a call parked`, { group: group.name });
      return { kind: 'EXTENSION', number: free };
    }
    return firstFree(group.destinations, config, parker, isTaken, `every destination of ${group.name} is taken`);
  }

  if (target.kind === 'SLOT') {
    const slot = config.slots.get(target.number);
    if (!slot) throw new ParkingError('unknown-code', `${target.number} is not a call park extension`);
    if (!mayPark(slot, parker)) {
      throw new ParkingError('not-allowed', `${parker ?? 'this caller'} may not park on ${slot.number}`, { slot: slot.number });
    }
    if (!isTaken(target.number)) return target;
    if (config.settings.occupiedSlotPolicy === 'NEXT_FREE') {
      const order = config.slotOrder;
      const start = order.indexOf(target.number);
      const rotated = [...order.slice(start + 1), ...order.slice(0, start)];
      return firstFree(rotated, config, parker, isTaken, `${target.number} and every other call park extension are taken`);
    }
    throw new ParkingError('slot-occupied', `a call is already parked on ${target.number}`, { slot: target.number });
  }

  if (isTaken(placeKey(target))) {
    throw new ParkingError('slot-occupied', `a call is already parked on ${placeKey(target)}`, { place: placeKey(target) });
  }
  return target;
}

function firstFree(
  numbers: string[],
  config: TenantConfig,
  parker: string | null,
  isTaken: (key: string) => boolean,
  fullMessage: string,
): Place {
  for (const number of numbers) {
    const slot = config.slots.get(number);
    if (slot && mayPark(slot, parker) && !isTaken(number)) return { kind: 'SLOT', number };
  }
  throw new ParkingError('lot-full', fullMessage);
}

function randomCode({ config, isTaken, random }: AllocationInput): Place {
  const digits = config.settings.randomCodeDigits;
  const space = 10 ** digits;
  // Random probes first; a nearly full code space falls back to a scan from a random start.
  for (let i = 0; i < 16; i++) {
    const code = String(random(space)).padStart(digits, '0');
    if (!isTaken(`*${code}`)) return { kind: 'CODE', code };
  }
  const start = random(space);
  for (let i = 0; i < space; i++) {
    const code = String((start + i) % space).padStart(digits, '0');
    if (!isTaken(`*${code}`)) return { kind: 'CODE', code };
  }
  throw new ParkingError('lot-full', 'every parking code is in use');
}
