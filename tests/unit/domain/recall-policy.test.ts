import { recallDue, recallFailed, recallRules } from '../../../apps/parking/src/domain/recall-policy';
import { tenantConfig } from '../../support/tenant-config';

const parked = (parker: string | null, extra: { groupId?: string | null; slot?: string } = {}) => ({
  place: extra.slot ? { kind: 'SLOT' as const, number: extra.slot } : { kind: 'EXTENSION' as const, number: '333' },
  groupId: extra.groupId ?? null,
  parker: { extension: parker, endpoint: parker ? `PJSIP/${parker}` : null },
});

function withHuntGroup(option: 'PARKER_ONLY' | 'PARKER_THEN_HUNT_GROUP' | 'HUNT_GROUP_ONLY', destination: string | null = null) {
  const config = tenantConfig({ recallOption: option, huntGroupId: 'h', huntGroupWaitSec: 25 });
  config.huntGroups.set('h', { id: 'h', name: 'Operators', extensions: ['201', '102'], destination, ringSec: 40 });
  return config;
}

describe('recall policy', () => {
  it('[C1] the timer is the tenant default, overridden by slot and group', () => {
    const config = tenantConfig({}, { slots: [{ number: '7001', recallTimerSec: 30 }], groups: [{ id: 'g', name: 'G', recallTimerSec: 60 }] });
    expect(recallRules(config, parked('101')).recallTimerMs).toBe(120_000);
    expect(recallRules(config, parked('101', { slot: '7001' })).recallTimerMs).toBe(30_000);
    expect(recallRules(config, parked('101', { groupId: 'g' })).recallTimerMs).toBe(60_000);
  });

  it('[C2] parker only: ring the parker, then retry after the retry interval', () => {
    const rules = recallRules(tenantConfig(), parked('101'));
    expect(recallDue(rules, null, 0)).toEqual({ kind: 'ring', phase: 'parker', endpoints: ['PJSIP/101'], ringSec: 20 });
    expect(recallFailed(rules, 'parker', 1000)).toEqual({ kind: 'wait', phase: 'parker', at: 11_000 });
  });

  it('[C2][C4] parker first: the parker rings for the hunt-group wait, then the hunt group rings together', () => {
    const rules = recallRules(withHuntGroup('PARKER_THEN_HUNT_GROUP'), parked('101'));
    expect(recallDue(rules, null, 0)).toEqual({ kind: 'ring', phase: 'parker', endpoints: ['PJSIP/101'], ringSec: 25 });
    expect(recallFailed(rules, 'parker', 0)).toEqual({ kind: 'ring', phase: 'hunt-group', endpoints: ['PJSIP/201', 'PJSIP/102'], ringSec: 40 });
  });

  it('[C2] hunt group only, and a hunt group that is a dialplan destination', () => {
    expect(recallDue(recallRules(withHuntGroup('HUNT_GROUP_ONLY'), parked('101')), null, 0)).toMatchObject({ kind: 'ring', phase: 'hunt-group' });
    expect(recallDue(recallRules(withHuntGroup('HUNT_GROUP_ONLY', 'operators,s,1'), parked('101')), null, 0)).toEqual({
      kind: 'dialplan',
      phase: 'hunt-group',
      destination: 'operators,s,1',
    });
  });

  it('[C6] an unknown parker recalls to the tenant fallback extension', () => {
    const config = tenantConfig({ fallbackExtension: '201' });
    expect(recallDue(recallRules(config, parked(null)), null, 0)).toMatchObject({ kind: 'ring', endpoints: ['PJSIP/201'] });
    expect(recallDue(recallRules(tenantConfig(), parked(null)), null, 0)).toMatchObject({ kind: 'wait' });
  });
});
