/** A tenant's configuration as the call flows need it, loaded once and cached. */
export type ParkMode = 'NEXT_SLOT' | 'RANDOM_CODE';
export type OccupiedSlotPolicy = 'REJECT' | 'NEXT_FREE';
export type RecallOption = 'PARKER_ONLY' | 'PARKER_THEN_HUNT_GROUP' | 'HUNT_GROUP_ONLY';

export interface TenantSettings {
  id: string;
  slug: string;
  name: string;
  parkPrefix: string;
  retrievePrefix: string;
  groupParkCodes: string[];
  parkMode: ParkMode;
  randomCodeDigits: number;
  occupiedSlotPolicy: OccupiedSlotPolicy;
  recallTimerSec: number;
  recallOption: RecallOption;
  recallRetrySec: number;
  recallRingSec: number;
  huntGroupWaitSec: number;
  huntGroupId: string | null;
  recallAlertInfo: string | null;
  maxParkTimeSec: number;
  finalDestination: string | null;
  fallbackExtension: string | null;
  musicClass: string;
}

export interface ExtensionInfo {
  id: string;
  number: string;
  name: string;
  endpoint: string;
  groupId: string | null;
}

export interface SlotInfo {
  id: string;
  number: string;
  name: string;
  musicClass: string | null;
  recallTimerSec: number | null;
  parkAllow: string[];
  retrieveAllow: string[];
  pinHash: string | null;
}

export interface GroupInfo {
  id: string;
  name: string;
  useMembersAsDestinations: boolean;
  recallOption: RecallOption;
  recallTimerSec: number | null;
  huntGroupId: string | null;
  /** Extension numbers, in order. */
  members: string[];
  /** Slot numbers, in order. */
  destinations: string[];
}

export interface HuntGroupInfo {
  id: string;
  name: string;
  extensions: string[];
  destination: string | null;
  ringSec: number;
}

export interface TenantConfig {
  settings: TenantSettings;
  extensions: Map<string, ExtensionInfo>;
  slots: Map<string, SlotInfo>;
  /** Slot numbers in ascending order, for "next free slot". */
  slotOrder: string[];
  groups: Map<string, GroupInfo>;
  huntGroups: Map<string, HuntGroupInfo>;
}

export function groupOf(config: TenantConfig, extensionNumber: string | null): GroupInfo | null {
  if (!extensionNumber) return null;
  const ext = config.extensions.get(extensionNumber);
  return ext?.groupId ? config.groups.get(ext.groupId) ?? null : null;
}
