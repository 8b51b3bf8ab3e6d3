import type { Place } from './codes';

/** Who a recall rings: the parker (or fallback), then the hunt group. */
export type RecallPhase = 'parker' | 'hunt-group';

export type ParkMethod = 'BLIND_TRANSFER' | 'ATTENDED_TRANSFER' | 'HOLD_AND_DIAL' | 'API' | 'RECOVERED';
export type ParkOutcome =
  | 'RETRIEVED'
  | 'RECALL_ANSWERED'
  | 'HUNT_GROUP'
  | 'ABANDONED'
  | 'TIMED_OUT'
  | 'HUNG_UP'
  | 'LOST';

/**
 * PARKED: in the holding bridge. RECALLING: still parked, and ring-backs are out.
 * CONNECTING: a retriever or a ring-back won; the call is being bridged to them.
 * ENDED: gone from the lot.
 */
export type LiveState = 'PARKED' | 'RECALLING' | 'CONNECTING' | 'ENDED';

export interface Party {
  extension: string | null;
  endpoint: string | null;
}

/** A parked call as the running service holds it. The database holds the same, durably. */
export interface ParkedCall {
  id: string;
  tenantId: string;
  place: Place;
  placeKey: string;
  groupId: string | null;
  callerChannelId: string;
  callerName: string;
  callerNumber: string;
  parker: Party;
  method: ParkMethod;
  state: LiveState;
  parkedAt: number;
  /** Next recall action (first ring-back, retry, hunt group); null when none is due. */
  recallAt: number | null;
  timeoutAt: number;
  recallAttempts: number;
  /** Who the recall is at: the parker (or fallback), then the hunt group. */
  recallPhase: RecallPhase | null;
  /** Ring-back channels currently ringing. */
  ringing: string[];
  holdingBridgeId: string;
  musicClass: string;
  /**
   * Set while the service hands the caller to the dialplan (maximum park time, hunt-group
   * destination): the StasisEnd that follows is that hand-off, not the caller hanging up.
   */
  leavingFor?: 'TIMED_OUT' | 'HUNT_GROUP';
}

export function waitedMs(call: ParkedCall, now: number): number {
  return Math.max(0, now - call.parkedAt);
}

/** A call can be taken (retrieved, or answered on ring-back) only while parked or recalling. */
export function isTakeable(call: ParkedCall): boolean {
  return call.state === 'PARKED' || call.state === 'RECALLING';
}

/** Re-reads the state after an await (TypeScript would keep a stale narrowing). */
export function hasEnded(call: ParkedCall): boolean {
  return call.state === 'ENDED';
}
