import { retrievalNumber } from './codes';
import type { ParkedCall } from './parked-call';
import type { TenantConfig } from './tenant';

/** The public description of a parked call, for events and the API. */
export function describe(config: TenantConfig, call: ParkedCall) {
  return {
    place: call.placeKey,
    placeKind: call.place.kind,
    retrievalNumber: retrievalNumber(config, call.place),
    caller: { name: call.callerName, number: call.callerNumber },
    parker: call.parker.extension,
    method: call.method,
    groupId: call.groupId,
    state: call.state,
    parkedAt: new Date(call.parkedAt).toISOString(),
    recallAt: call.recallAt === null ? null : new Date(call.recallAt).toISOString(),
    timeoutAt: new Date(call.timeoutAt).toISOString(),
  };
}
