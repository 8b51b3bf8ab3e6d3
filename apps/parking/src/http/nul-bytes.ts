import type { preValidationAsyncHookHandler } from 'fastify';
import { invalid } from './places';

/**
 * PostgreSQL text cannot hold a NUL byte: one in any string of the query or a JSON body would
 * fail in the database as a 500. Refused here as a 400 naming the field (issue 14). A text
 * body (CSV) is left to its own row-by-row validation, which names the line.
 */
export const rejectNulBytes: preValidationAsyncHookHandler = async (request) => {
  for (const [part, value] of [
    ['', request.query],
    ['', request.params],
    ['', typeof request.body === 'object' ? request.body : undefined],
  ] as const) {
    const field = findNul(value, part);
    if (field !== null) throw invalid(field || 'body', 'must not contain NUL characters');
  }
};

function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], path ? `${path}.${i}` : String(i));
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return here;
      const found = findNul(item, here);
      if (found !== null) return found;
    }
  }
  return null;
}
