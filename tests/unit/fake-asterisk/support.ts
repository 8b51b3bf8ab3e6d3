/**
 * Helpers for the fake Asterisk's own tests: the real ari-client, connected to the fake.
 */
import path from 'node:path';
import { writeFileSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { FakeAsterisk } from '../../support/fake-asterisk';
import type { FakeAsteriskOptions } from '../../support/fake-asterisk';
import type { AriClient as ServiceAriClient } from '../../../apps/parking/src/ari/ari-call-control';
import { connectAri } from '../../../apps/parking/src/ari/ari-client';


/* eslint-disable @typescript-eslint/no-explicit-any */
/** The service's view of ari-client, and what these tests use besides. */
export interface AriClient extends ServiceAriClient {
  asterisk: Record<string, (params?: Record<string, unknown>) => Promise<any>>;
  start(apps: string | string[], subscribeAll?: boolean): Promise<void>;
  stop(): void;
  on(event: string, cb: (event: any, obj: any) => void): void;
  once(event: string, cb: (event: any, obj: any) => void): void;
  removeAllListeners(event?: string): void;
  Channel(id?: string): any;
  Bridge(id?: string): any;
  Playback(id?: string): any;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export const ROOT = path.resolve(__dirname, '../../..');
export const CONF = path.join(ROOT, 'asterisk-conf');

/**
 * A folder with extensions.conf.sample, extensions_parking.conf and a tenants file written from
 * extensions_parking_tenants.conf.sample (as `npm run asterisk:dialplan` would), so that the
 * sample's `#include extensions_parking_tenants.conf` resolves.
 */
export function dialplanFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-ast-'));
  copyFileSync(path.join(CONF, 'extensions.conf.sample'), path.join(dir, 'extensions.conf.sample'));
  copyFileSync(path.join(CONF, 'extensions_parking.conf'), path.join(dir, 'extensions_parking.conf'));
  copyFileSync(path.join(CONF, 'extensions_parking_tenants.conf.sample'), path.join(dir, 'extensions_parking_tenants.conf'));
  return dir;
}

export interface Env {
  fake: FakeAsterisk;
  client: AriClient;
  /** Every event the client received, in order. */
  received: Array<{ type: string } & Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export async function startEnv(
  opts: FakeAsteriskOptions & { app?: string; subscribeAll?: boolean; connect?: boolean } = {},
): Promise<Env> {
  const dir = dialplanFolder();
  const fake = await FakeAsterisk.start({
    dialplanFiles: [path.join(dir, 'extensions.conf.sample')],
    phones: [
      { number: '101', context: 'from-acme' },
      { number: '102', context: 'from-acme' },
      { number: '201', context: 'from-acme' },
      { number: '333', context: 'from-acme' },
    ],
    ...opts,
  });
  const client = await connectAri<AriClient>(fake.url, fake.username, fake.password);
  const received: Env['received'] = [];
  client.on('*', (event) => received.push(event));
  if (opts.connect !== false) {
    await client.start(opts.app ?? 'parking', opts.subscribeAll);
    await fake.waitFor(() => fake.apps().some((a) => a.name === (opts.app ?? 'parking') && a.active));
  }
  return {
    fake,
    client,
    received,
    async close() {
      try {
        client.stop();
      } catch {
        /* not started */
      }
      await fake.stop();
    },
  };
}

/** Resolves with the first received event of `type` matching `match` (no sleeps: event driven). */
export function nextEvent(
  env: Env,
  type: string,
  match: (e: any) => boolean = () => true, // eslint-disable-line @typescript-eslint/no-explicit-any
  timeoutMs = 2000,
  since = 0,
): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const found = () => env.received.slice(since).find((e) => e.type === type && match(e));
  const hit = found();
  if (hit) return Promise.resolve(hit);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      env.client.removeAllListeners(`__probe_${type}`);
      reject(new Error(`no ${type} event within ${timeoutMs} ms; got: ${env.received.map((e) => e.type).join(', ')}`));
    }, timeoutMs);
    const listener = (e: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      if (e.type === type && match(e) && env.received.indexOf(e) >= since) {
        clearTimeout(timer);
        resolve(e);
      }
    };
    env.client.on(type, listener);
  });
}

/** The text of an ari-client error: Error(<raw response body>). */
export async function ariError(p: Promise<unknown>): Promise<{ message?: string; error?: string }> {
  try {
    await p;
  } catch (e) {
    return JSON.parse((e as Error).message) as { message?: string };
  }
  throw new Error('expected the ARI request to fail');
}

/** Raw HTTP to the fake (to see status codes, which ari-client loses). */
export async function http(
  fake: FakeAsterisk,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  auth = true,
): Promise<{ status: number; body: any; headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = {};
  if (auth) headers.Authorization = 'Basic ' + Buffer.from(`${fake.username}:${fake.password}`).toString('base64');
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${fake.url}${pathAndQuery}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export function writeFile(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}
