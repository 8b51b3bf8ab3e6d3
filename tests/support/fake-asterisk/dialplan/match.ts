/**
 * Extension matching and ordering, ported from main/pbx.c:
 *  - _extension_match_core() (E_MATCH): '_' patterns with X N Z [a-b] . ! and literal characters
 *    ('*', '#', digits); '-' is fluff;
 *  - ext_cmp(): non-pattern extensions first, then patterns by specificity
 *    (ext_cmp_pattern_pos: fewer possible characters at a position sorts first; '.' before '!').
 * The first extension in that order that matches wins; includes are searched afterwards, depth first.
 */
import type { Context, Extension } from './parser';

export function extensionMatches(pattern: string, data: string): boolean {
  if (!pattern.startsWith('_')) {
    return pattern.replace(/-/g, '') === data.replace(/-/g, '');
  }
  let p = 1;
  let d = 0;
  while (d < data.length && p < pattern.length) {
    const dc = data[d];
    if (dc === '-') {
      d++;
      continue;
    }
    const pc = pattern[p].toUpperCase();
    if (pc === '-' || pc === ' ') {
      p++;
      continue;
    }
    switch (pc) {
      case '[': {
        const end = pattern.indexOf(']', p);
        if (end < 0) return false;
        const set = pattern.slice(p + 1, end);
        let ok = false;
        for (let i = 0; i < set.length; i++) {
          const c1 = set[i];
          if (set[i + 1] === '-' && i + 2 < set.length) {
            const c2 = set[i + 2];
            if (dc >= c1 && dc <= c2) ok = true;
            i += 2;
          } else if (dc === c1) ok = true;
        }
        if (!ok) return false;
        p = end;
        break;
      }
      case 'N':
        if (dc < '2' || dc > '9') return false;
        break;
      case 'X':
        if (dc < '0' || dc > '9') return false;
        break;
      case 'Z':
        if (dc < '1' || dc > '9') return false;
        break;
      case '.':
        return true;
      case '!':
        return true;
      default:
        if (dc !== pattern[p]) return false;
    }
    d++;
    p++;
  }
  if (d < data.length) return false;
  while (p < pattern.length && (pattern[p] === '-' || pattern[p] === ' ')) p++;
  if (p >= pattern.length) return true;
  return pattern[p] === '!';
}

/** ext_cmp_pattern_pos(): returns [score, bitwise set, next index] for the position at `i`. */
function patternPos(s: string, i: number): [number, Uint8Array, number] {
  const bitwise = new Uint8Array(32);
  for (;;) {
    let c: string | undefined;
    do {
      c = s[i++];
    } while (c === '-');
    if (c === undefined) return [0x30000, bitwise, -1];
    const code = c.charCodeAt(0) & 0xff;
    switch (c) {
      case 'n':
      case 'N':
        bitwise[6] = 0x3f;
        bitwise[7] = 0xc0;
        return [0x0800 | 0x32, bitwise, i];
      case 'x':
      case 'X':
        bitwise[6] = 0xff;
        bitwise[7] = 0xc0;
        return [0x0a00 | 0x30, bitwise, i];
      case 'z':
      case 'Z':
        bitwise[6] = 0x7f;
        bitwise[7] = 0xc0;
        return [0x0900 | 0x31, bitwise, i];
      case '.':
        return [0x18000, bitwise, i];
      case '!':
        return [0x28000, bitwise, i];
      case '[': {
        const end = s.indexOf(']', i);
        if (end < 0) return [0x40000, bitwise, -1];
        let count = 0;
        let cmin = 0xff;
        for (; i < end; i++) {
          let c1 = s.charCodeAt(i) & 0xff;
          let c2 = c1;
          if (i + 2 < end && s[i + 1] === '-') {
            c2 = s.charCodeAt(i + 2) & 0xff;
            i += 2;
          }
          if (c1 < cmin) cmin = c1;
          for (; c1 <= c2; c1++) {
            const mask = 1 << (7 - (c1 % 8));
            if (!(bitwise[c1 >> 3] & mask)) {
              bitwise[c1 >> 3] |= mask;
              count += 0x100;
            }
          }
        }
        i = end + 1;
        if (count) return [count | cmin, bitwise, i];
        continue; // empty set: look at the next position
      }
      default:
        bitwise[code >> 3] = 1 << (7 - (code % 8));
        return [0x0100 | code, bitwise, i];
    }
  }
}

function cmpBitwise(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** ext_cmp(): ordering of two extension names for matching. */
export function extCmp(left: string, right: string): number {
  if (!left.startsWith('_')) {
    if (right.startsWith('_')) return -1;
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (!right.startsWith('_')) return 1;
  let li = 1;
  let ri = 1;
  for (;;) {
    const [ls, lb, ln] = patternPos(left, li);
    const [rs, rb, rn] = patternPos(right, ri);
    let cmp = ls - rs;
    if (!cmp) cmp = cmpBitwise(rb, lb);
    if (cmp) return cmp;
    if (ln < 0) return 0;
    li = ln;
    ri = rn;
  }
}

export function sortedExtensions(ctx: Context): Extension[] {
  if (!ctx.sorted) ctx.sorted = [...ctx.extensions.values()].sort((a, b) => extCmp(a.pattern, b.pattern));
  return ctx.sorted;
}
