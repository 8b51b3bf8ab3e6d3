/**
 * A fresh, migrated database for one test file:
 *
 *   const db = await createTestDatabase();   // in beforeAll
 *   ... db.prisma, or db.url for the service (Config.databaseUrl) ...
 *   await db.drop();                          // in afterAll
 *
 * It is a copy of the run's template database (CREATE DATABASE ... TEMPLATE), made by
 * tests/support/global-setup.ts on the embedded server or on DATABASE_URL's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { PrismaClient } from '../../generated/prisma/client';
import { applyMigrations, createPrismaClient, quoteIdentifier, withDatabase } from '../../apps/parking/src/store/database';
import { PostgresProcess } from './postgres-process';

/** The variables through which global-setup.ts tells the test workers where to go. */
export const TEST_DB_ENV = {
  serverUrl: 'PARKING_TEST_DB_SERVER_URL',
  prefix: 'PARKING_TEST_DB_PREFIX',
} as const;

export interface TestDatabase {
  /** Connection url of this file's database. */
  url: string;
  /** A client on it (pool of 3), disconnected by drop(). */
  prisma: PrismaClient;
  /** Disconnects `prisma` and drops the database, whoever is still connected to it. */
  drop(): Promise<void>;
}

let created = 0;

/**
 * `{ migrated: false }` gives an empty database instead (for tests of the migrations themselves).
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env[TEST_DB_ENV.serverUrl];
  const prefix = process.env[TEST_DB_ENV.prefix];
  if (!serverUrl || !prefix) throw new Error('createTestDatabase() needs jest with tests/support/global-setup.ts');
  const name = `${prefix}_${process.pid}_${++created}`;
  const template = options.migrated === false ? 'template0' : `${prefix}_template`;
  await adminQuery(serverUrl, `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(template)}`);
  const url = withDatabase(serverUrl, name);
  const prisma = createPrismaClient(url, { poolSize: 3 });
  let dropped = false;
  return {
    url,
    prisma,
    async drop() {
      if (dropped) return;
      dropped = true;
      await prisma.$disconnect();
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    },
  };
}

/** One statement on the server's admin database (CREATE/DROP DATABASE). */
export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface OwnServerDatabase extends TestDatabase {
  /** Stops the PostgreSQL server (fast shutdown: every session is cut, as in an outage). */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and data. */
  startServer(): Promise<void>;
}

/**
 * A migrated database on an embedded PostgreSQL server of its own, which a test may stop and
 * start (issue 7: the database goes away and comes back). Used whatever DATABASE_URL says.
 */
export async function createOwnServerDatabase(): Promise<OwnServerDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parking-test-own-pg-'));
  const server = await PostgresProcess.start(dataDir);
  await applyMigrations(server.url, { migrationsDir: path.resolve(__dirname, '../../prisma/migrations') });
  const prisma = createPrismaClient(server.url, { poolSize: 3 });
  return {
    url: server.url,
    prisma,
    stopServer: () => server.stop(),
    startServer: () => server.restart(),
    async drop() {
      await prisma.$disconnect();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
