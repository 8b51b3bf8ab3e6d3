import type { Place } from '../domain/codes';
import type { Party } from '../domain/parked-call';
import type { TenantConfig } from '../domain/tenant';

/** A park started from a consult leg: the phone holds its call and dials a code on a second line. */
export interface Consult {
  token: string;
  config: TenantConfig;
  place: Place;
  groupId: string | null;
  parker: Party;
  method: 'HOLD_AND_DIAL' | 'API';
  consultChannelId: string;
  heldChannelId: string;
  /** The id the parked call will have (promised to the API caller). */
  parkedCallId?: string;
  /** The announcement on the consult leg; a transfer inherits it, so it is stopped then. */
  playbackId: string | null;
  settled: boolean;
}
