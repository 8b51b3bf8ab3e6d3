import type { SlotInfo } from './tenant';

/** An empty list means everyone in the tenant. */
export function mayPark(slot: SlotInfo, extension: string | null): boolean {
  return slot.parkAllow.length === 0 || (extension !== null && slot.parkAllow.includes(extension));
}

export type RetrieveAccess = 'allowed' | 'pin' | 'refused';

/** Who may retrieve from a slot: the list, else anyone with the PIN, else no one. */
export function retrieveAccess(slot: SlotInfo, extension: string | null): RetrieveAccess {
  if (slot.retrieveAllow.length === 0) return 'allowed';
  if (extension !== null && slot.retrieveAllow.includes(extension)) return 'allowed';
  return slot.pinHash ? 'pin' : 'refused';
}

export const PIN_ATTEMPTS = 3;
export const PIN_MAX_DIGITS = 12;
