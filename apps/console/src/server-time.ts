/**
 * The service's clock as the page sees it: waiting times and "today" are the service's, not the
 * browser's (a tablet's clock may be off by minutes). Corrected from every event's `at` and each snapshot's.
 */
let skew = 0;

export const serverNow = (): number => Date.now() + skew;

export function observeServerTime(iso: string): void {
  const at = Date.parse(iso);
  if (!Number.isNaN(at)) skew = at - Date.now();
}
