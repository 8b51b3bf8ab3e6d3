/**
 * One error taxonomy for the whole service: a stable id that code and clients match on,
 * the HTTP status it maps to, and details. Never match an error by its message text.
 */
export const errorStatus = {
  validation: 400,
  unauthorized: 401,
  'not-found': 404,
  'unknown-code': 404,
  'unknown-endpoint': 404,
  'no-parked-call': 404,
  'call-gone': 404,
  conflict: 409,
  'slot-occupied': 409,
  'lot-full': 409,
  'place-in-use': 409,
  'not-allowed': 403,
  'not-group-member': 403,
  'wrong-pin': 403,
  'nothing-to-park': 409,
  'not-in-stasis': 422,
  'limit-reached': 422,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  'ari-unavailable': 503,
  'database-unavailable': 503,
  'ari-error': 502,
  internal: 500,
} as const;

export type ErrorId = keyof typeof errorStatus;

export class ParkingError extends Error {
  readonly status: number;
  constructor(
    readonly id: ErrorId,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ParkingError';
    this.status = errorStatus[id];
  }
}

export function isParkingError(err: unknown, id?: ErrorId): err is ParkingError {
  return err instanceof ParkingError && (id === undefined || err.id === id);
}
