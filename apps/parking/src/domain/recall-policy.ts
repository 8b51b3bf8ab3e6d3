import type { ParkedCall, RecallPhase } from './parked-call';
import type { HuntGroupInfo, RecallOption, TenantConfig } from './tenant';

/** Everything that decides how one parked call is recalled, resolved from its tenant, slot and group. */
export interface RecallRules {
  option: RecallOption;
  recallTimerMs: number;
  retryMs: number;
  ringSec: number;
  huntGroupWaitSec: number;
  /** Who "the parker" is for ring-backs: the parker, or the tenant's fallback when unknown (C6). */
  parkerEndpoint: string | null;
  huntGroup: { endpoints: string[]; destination: string | null; ringSec: number } | null;
  alertInfo: string | null;
}

export type RecallAction =
  | { kind: 'ring'; phase: RecallPhase; endpoints: string[]; ringSec: number }
  | { kind: 'dialplan'; phase: 'hunt-group'; destination: string }
  | { kind: 'wait'; phase: RecallPhase; at: number };

export function recallRules(config: TenantConfig, call: Pick<ParkedCall, 'place' | 'groupId' | 'parker'>): RecallRules {
  const { settings } = config;
  const slot = call.place.kind === 'SLOT' ? config.slots.get(call.place.number) : undefined;
  const group = call.groupId ? config.groups.get(call.groupId) : undefined;
  const huntGroupId = group ? group.huntGroupId : settings.huntGroupId;
  const huntGroup = huntGroupId ? config.huntGroups.get(huntGroupId) : undefined;
  const fallback = settings.fallbackExtension ? config.extensions.get(settings.fallbackExtension) : undefined;
  const recallTimerSec = slot?.recallTimerSec ?? group?.recallTimerSec ?? settings.recallTimerSec;
  return {
    option: group?.recallOption ?? settings.recallOption,
    recallTimerMs: recallTimerSec * 1000,
    retryMs: settings.recallRetrySec * 1000,
    ringSec: settings.recallRingSec,
    huntGroupWaitSec: settings.huntGroupWaitSec,
    // A parker who is not one of the tenant's extensions is unknown (C6).
    parkerEndpoint: (call.parker.extension ? call.parker.endpoint : null) ?? fallback?.endpoint ?? null,
    huntGroup: huntGroup ? resolveHuntGroup(config, huntGroup) : null,
    alertInfo: settings.recallAlertInfo,
  };
}

function resolveHuntGroup(config: TenantConfig, huntGroup: HuntGroupInfo): RecallRules['huntGroup'] {
  const endpoints = huntGroup.extensions
    .map((number) => config.extensions.get(number)?.endpoint)
    .filter((endpoint): endpoint is string => endpoint !== undefined);
  return { endpoints, destination: huntGroup.destination, ringSec: huntGroup.ringSec };
}

/** What to do when a recall is due: the first ring-back, a retry, or the next phase. */
export function recallDue(rules: RecallRules, phase: RecallPhase | null, now: number): RecallAction {
  const wantsHuntGroup = phase === 'hunt-group' || rules.option === 'HUNT_GROUP_ONLY' || !rules.parkerEndpoint;
  if (wantsHuntGroup && rules.huntGroup) return huntGroupAction(rules.huntGroup, rules, now);
  if (rules.parkerEndpoint) {
    // Parker first, then hunt group: the parker rings for the hunt-group wait time.
    const ringSec = rules.option === 'PARKER_THEN_HUNT_GROUP' && rules.huntGroup ? rules.huntGroupWaitSec : rules.ringSec;
    return { kind: 'ring', phase: 'parker', endpoints: [rules.parkerEndpoint], ringSec };
  }
  // Nobody to ring: the call stays parked until someone retrieves it or it times out.
  return { kind: 'wait', phase: 'parker', at: now + rules.retryMs };
}

/** A ring-back was not answered (no answer, busy, unreachable): the policy's next step (C2, C4). */
export function recallFailed(rules: RecallRules, phase: RecallPhase, now: number): RecallAction {
  if (phase === 'parker' && rules.option === 'PARKER_THEN_HUNT_GROUP' && rules.huntGroup) {
    return huntGroupAction(rules.huntGroup, rules, now);
  }
  return { kind: 'wait', phase, at: now + rules.retryMs };
}

function huntGroupAction(huntGroup: NonNullable<RecallRules['huntGroup']>, rules: RecallRules, now: number): RecallAction {
  if (huntGroup.destination) return { kind: 'dialplan', phase: 'hunt-group', destination: huntGroup.destination };
  if (huntGroup.endpoints.length === 0) return { kind: 'wait', phase: 'hunt-group', at: now + rules.retryMs };
  return { kind: 'ring', phase: 'hunt-group', endpoints: huntGroup.endpoints, ringSec: huntGroup.ringSec };
}

/** "context,exten,priority" (priority defaults to 1). */
export function parseDestination(destination: string): { context: string; extension: string; priority: number } | null {
  const [context, extension, priority = '1'] = destination.split(',').map((s) => s.trim());
  if (!context || !extension || !/^\d+$/.test(priority)) return null;
  return { context, extension, priority: Number(priority) };
}
