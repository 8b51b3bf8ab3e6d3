/**
 * The board's state: a snapshot of the parked calls, then the tenant's events applied in
 * sequence order. Pure (no DOM, no network): the page renders it, tests can drive it.
 */

export interface Caller {
  name: string;
  number: string;
}

/** A parked call as GET .../parked-calls and the `parked` event describe it. */
export interface ParkedCallJson {
  id?: string;
  place: string;
  placeKind: 'SLOT' | 'EXTENSION' | 'CODE';
  retrievalNumber: string;
  caller: Caller;
  parker: string | null;
  method: string;
  groupId: string | null;
  state: string;
  parkedAt: string;
  recallAt: string | null;
  timeoutAt: string;
}

/** A parked call on the board: the API's description, with times as epoch ms. */
export interface LiveCall extends Omit<ParkedCallJson, 'id' | 'parkedAt' | 'recallAt' | 'timeoutAt'> {
  id: string;
  parkedAt: number;
  recallAt: number | null;
  /** Endpoints being rung back (PJSIP/101), while recalling. */
  ringing: string[];
  /** Why the last ring-back failed (busy, no answer), until the next one. */
  recallFailed: string | null;
}

export interface StreamEvent {
  type: string;
  seq: number;
  at: string;
  parkedCallId: string | null;
  data: Record<string, unknown>;
}

export interface BoardState {
  epoch: string | null;
  /** The last event included. */
  seq: number;
  calls: Map<string, LiveCall>;
  /** Events applied since sign-in (for the page's own check: none missed, none twice). */
  applied: number;
}

export const emptyBoard = (): BoardState => ({ epoch: null, seq: 0, calls: new Map(), applied: 0 });

const ENDS = new Set(['retrieved', 'recall_answered', 'abandoned', 'lost', 'timed_out', 'hung_up']);

export function liveCall(id: string, json: ParkedCallJson): LiveCall {
  return {
    id,
    place: json.place,
    placeKind: json.placeKind,
    retrievalNumber: json.retrievalNumber,
    caller: json.caller,
    parker: json.parker,
    method: json.method,
    groupId: json.groupId,
    state: json.state,
    parkedAt: Date.parse(json.parkedAt),
    recallAt: json.recallAt ? Date.parse(json.recallAt) : null,
    ringing: [],
    recallFailed: null,
  };
}

/** A new snapshot replaces everything: it is current to `seq`. */
export function fromSnapshot(items: Array<ParkedCallJson & { id: string }>, seq: number, epoch: string, applied: number): BoardState {
  return { epoch, seq, calls: new Map(items.map((item) => [item.id, liveCall(item.id, item)])), applied };
}

export type Applied = 'applied' | 'old' | 'gap';

/**
 * Applies one event to the board (a changed call is a new object, so rows can skip unchanged calls). An event at or before `seq` is already in the board ('old':
 * ignored, so nothing is doubled); one past the next number means events were missed ('gap':
 * the caller takes a new snapshot).
 */
export function applyEvent(board: BoardState, event: StreamEvent): Applied {
  if (event.seq <= board.seq) return 'old';
  if (event.seq !== board.seq + 1) return 'gap';
  board.seq = event.seq;
  board.applied++;
  const id = event.parkedCallId;
  const call = id ? board.calls.get(id) : undefined;
  const data = event.data;
  switch (event.type) {
    case 'parked':
      // The snapshot may already hold a call whose 'parked' event came after it: same id, replaced.
      if (id) board.calls.set(id, liveCall(id, data as unknown as ParkedCallJson));
      break;
    case 'recall_started':
    case 'returned_to_hunt_group':
      if (!call) break;
      if (Array.isArray(data.endpoints)) {
        board.calls.set(call.id, { ...call, state: 'RECALLING', ringing: data.endpoints as string[], recallFailed: null });
      } else {
        board.calls.delete(call.id); // ended: handed to the hunt group's destination
      }
      break;
    case 'recall_failed':
      if (!call) break;
      // A retry is due; its time is not in the event.
      board.calls.set(call.id, { ...call, state: 'PARKED', ringing: [], recallAt: null, recallFailed: String(data.reason ?? 'no answer') });
      break;
    default:
      if (call && ENDS.has(event.type)) board.calls.delete(call.id);
  }
  return 'applied';
}

/** "1:05", "12:00:09" */
export function clock(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const [h, m, ss] = hms.map((n) => String(n).padStart(2, '0'));
  return hms[0] > 0 ? `${hms[0]}:${m}:${ss}` : `${hms[1]}:${ss}`;
}

export const METHODS: Record<string, string> = {
  BLIND_TRANSFER: 'transfer',
  ATTENDED_TRANSFER: 'attended transfer',
  HOLD_AND_DIAL: 'hold + dial',
  BLF: 'BLF key',
  API: 'console / API',
  GROUP: 'group park',
  RECOVERED: 'recovered',
};

/** The extension number of an endpoint (PJSIP/101 -> 101), using the tenant's extensions when known. */
export function extensionOf(endpoint: string, byEndpoint: Map<string, string>): string {
  return byEndpoint.get(endpoint) ?? endpoint.replace(/^[A-Za-z]+\//, '');
}
