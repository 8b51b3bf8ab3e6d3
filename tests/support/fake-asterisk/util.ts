/**
 * Small helpers shared by the fake Asterisk: timestamps, ids, Asterisk's string conventions.
 */
import { randomUUID } from 'node:crypto';

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const pad3 = (n: number): string => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/**
 * Asterisk's ast_json_timeval(): AST_ISO8601_FORMAT "%FT%T.%q%z" (include/asterisk/localtime.h),
 * e.g. "2024-05-01T10:20:30.123+0000". The fake always renders UTC.
 */
export function astTimestamp(ms: number = Date.now()): string {
  const d = new Date(ms);
  return (
    d.getUTCFullYear() +
    '-' +
    pad2(d.getUTCMonth() + 1) +
    '-' +
    pad2(d.getUTCDate()) +
    'T' +
    pad2(d.getUTCHours()) +
    ':' +
    pad2(d.getUTCMinutes()) +
    ':' +
    pad2(d.getUTCSeconds()) +
    '.' +
    pad3(d.getUTCMilliseconds()) +
    '+0000'
  );
}

/** Channel driver sequence numbers are rendered "%08x" (chan_pjsip.c chan_pjsip_new, core_local.c). */
export function hex8(n: number): string {
  const s = (n >>> 0).toString(16);
  return '00000000'.slice(s.length) + s;
}

export function uuid(): string {
  return randomUUID();
}

/** ast_true(): "yes", "true", "y", "t", "1", "on" (case-insensitive). */
export function astTrue(v: string | undefined | null): boolean {
  if (v == null) return false;
  const s = v.trim().toLowerCase();
  return s === 'yes' || s === 'true' || s === 'y' || s === 't' || s === '1' || s === 'on';
}

/** C atoi()/atol(): leading whitespace, optional sign, digits; anything else gives 0. */
export function atoi(v: string | undefined | null): number {
  if (v == null) return 0;
  const m = /^\s*([+-]?\d+)/.exec(v);
  if (!m) return 0;
  const n = parseInt(m[1], 10);
  return Number.isFinite(n) ? n : 0;
}

/**
 * ast_app_separate_args() with ',' as delimiter: splits on commas that are not inside
 * parentheses, square brackets or double quotes; quotes are removed and '\' escapes the next character.
 * Used both for ARI's allowMultiple query parameters and for dialplan application arguments.
 */
export function separateArgs(input: string, delim = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let paren = 0;
  let bracket = 0;
  let quote = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '\\' && i + 1 < input.length) {
      cur += input[++i];
      continue;
    }
    if (c === '"') {
      quote = !quote;
      continue;
    }
    if (!quote) {
      if (c === '(') paren++;
      else if (c === ')' && paren > 0) paren--;
      else if (c === '[') bracket++;
      else if (c === ']' && bracket > 0) bracket--;
      else if (c === delim && paren === 0 && bracket === 0) {
        out.push(cur);
        cur = '';
        continue;
      }
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** A promise with its resolve function exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  settled: boolean;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const d = {} as Deferred<T>;
  d.settled = false;
  d.promise = new Promise<T>((r) => {
    resolve = r;
  });
  d.resolve = (v: T) => {
    if (d.settled) return;
    d.settled = true;
    resolve(v);
  };
  return d;
}

/** Run on a later macrotask, after pending I/O callbacks (keeps event order like Asterisk's threads). */
export function later(fn: () => void): void {
  setImmediate(fn);
}
