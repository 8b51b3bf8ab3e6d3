import type { ExtensionInfo, GroupInfo, SlotInfo, TenantConfig, TenantSettings } from '../../apps/parking/src/domain/tenant';

/** An in-memory tenant configuration for domain unit tests. */
export function tenantConfig(
  overrides: Partial<TenantSettings> = {},
  opts: { extensions?: string[]; slots?: Array<Partial<SlotInfo> & { number: string }>; groups?: Array<Partial<GroupInfo> & { id: string; name: string }> } = {},
): TenantConfig {
  const settings: TenantSettings = {
    id: 't1',
    slug: 'acme',
    name: 'Acme',
    parkPrefix: '*70',
    retrievePrefix: '*71',
    groupParkCodes: ['*58', '#58'],
    parkMode: 'NEXT_SLOT',
    randomCodeDigits: 4,
    occupiedSlotPolicy: 'REJECT',
    recallTimerSec: 120,
    recallOption: 'PARKER_ONLY',
    recallRetrySec: 10,
    recallRingSec: 20,
    huntGroupWaitSec: 30,
    huntGroupId: null,
    recallAlertInfo: null,
    maxParkTimeSec: 900,
    finalDestination: null,
    fallbackExtension: null,
    musicClass: 'default',
    ...overrides,
  };
  const groups = new Map<string, GroupInfo>(
    (opts.groups ?? []).map((g) => [
      g.id,
      { useMembersAsDestinations: false, recallOption: 'PARKER_ONLY', recallTimerSec: null, huntGroupId: null, members: [], destinations: [], ...g },
    ]),
  );
  const extensions = new Map<string, ExtensionInfo>(
    (opts.extensions ?? ['101', '102', '201', '333']).map((number) => {
      const group = [...groups.values()].find((g) => g.members.includes(number));
      return [number, { id: `e${number}`, number, name: `Phone ${number}`, endpoint: `PJSIP/${number}`, groupId: group?.id ?? null }];
    }),
  );
  const slotList = (opts.slots ?? [{ number: '7001' }, { number: '7002' }, { number: '7003' }]).map((s) => ({
    id: `s${s.number}`,
    name: '',
    musicClass: null,
    recallTimerSec: null,
    parkAllow: [],
    retrieveAllow: [],
    pinHash: null,
    ...s,
  }));
  return {
    settings,
    extensions,
    slots: new Map(slotList.map((s) => [s.number, s])),
    slotOrder: slotList.map((s) => s.number),
    groups,
    huntGroups: new Map(),
  };
}
