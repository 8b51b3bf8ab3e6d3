import { ParkingError } from '../domain/errors';

/**
 * ari-client rejects with `Error(<raw response body>)` and loses the HTTP status, so the
 * error is recognised from Asterisk's message in the body. These are Asterisk 22's texts.
 */
export function toParkingError(err: unknown, what: string): ParkingError {
  if (err instanceof ParkingError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  let message = raw;
  try {
    message = (JSON.parse(raw) as { message?: string }).message ?? raw;
  } catch {
    // not a JSON body: a transport error
  }
  const code = (err as { code?: string } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') {
    return new ParkingError('ari-unavailable', `Asterisk is not reachable (${what})`, { code });
  }
  if (/not in Stasis/i.test(message)) return new ParkingError('not-in-stasis', `${what}: ${message}`);
  if (/^Channel not found/i.test(message) || /Provided channel was not found/i.test(message) || /Channel .*not found/i.test(message)) {
    return new ParkingError('call-gone', `${what}: ${message}`);
  }
  // "Sound not found", "Module could not be found in running modules", ...
  if (/not (be )?found/i.test(message)) return new ParkingError('not-found', `${what}: ${message}`);
  if (/already exists|in use|conflict/i.test(message)) return new ParkingError('conflict', `${what}: ${message}`);
  return new ParkingError('ari-error', `${what}: ${message}`);
}
