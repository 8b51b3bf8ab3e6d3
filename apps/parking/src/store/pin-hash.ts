import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/**
 * scrypt runs on libuv's small thread pool (4 threads by default), which DNS lookups and file
 * I/O share: a bulk import of 1000 PINs must not occupy it all. At most this many hash at once;
 * the rest wait their turn (issue 14).
 */
const MAX_CONCURRENT_HASHES = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Retrieval PINs are short, so they are stored with a slow hash, salted per slot: scrypt$<salt>$<hash>. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await limited(() => scryptAsync(pin, salt, 32));
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPin(stored: string, pin: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  // Not queued behind an import: a caller is waiting on the line.
  const actual = await scryptAsync(pin, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}
