/**
 * The benchmark's database: a fresh database on DATABASE_URL's server, or on a throwaway
 * embedded PostgreSQL started with pg_stat_statements, which counts the statements the
 * service sends (its database round trips).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations, quoteIdentifier, startEmbeddedPostgres, withDatabase } from '../../../apps/parking/src/store/database';

const ROOT = path.resolve(__dirname, '../../..');

export interface StatementCounts {
  /** Normalised statement text -> calls, for the bench database only. */
  byQuery: Map<string, number>;
}

export interface BenchDatabase {
  url: string;
  name: string;
  embedded: boolean;
  /** Whether pg_stat_statements can be read (round trips are counted). */
  statementsAvailable: boolean;
  snapshot(): Promise<StatementCounts | null>;
  close(): Promise<void>;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function openBenchDatabase(log: (msg: string) => void): Promise<BenchDatabase> {
  let serverUrl = process.env.DATABASE_URL || null;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let dataDir: string | null = null;
  if (!serverUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'parking-bench-pg-'));
    process.once('exit', () => dataDir && rmSync(dataDir, { recursive: true, force: true }));
    // Default durability (fsync, synchronous_commit on): the service's write queue sees real commits.
    const server = await startEmbeddedPostgres({
      dataDir,
      postgresFlags: ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track_utility=on', '-c', 'max_connections=50'],
    });
    serverUrl = server.url;
    stopEmbedded = server.stop;
    log(`embedded PostgreSQL on port ${server.port}`);
  }
  const name = `parking_bench_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  await query(serverUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = withDatabase(serverUrl, name);
  await applyMigrations(url, { migrationsDir: path.join(ROOT, 'prisma', 'migrations') });

  // pg_stat_statements is read from the server's own database so that our reads are not counted.
  // On DATABASE_URL's server nothing is created outside the bench database: the extension is
  // used only if the server loads it and it is installed already.
  let statementsAvailable = false;
  try {
    const [loaded] = await query<{ libs: string }>(serverUrl, "SELECT current_setting('shared_preload_libraries') AS libs");
    if (!/pg_stat_statements/.test(loaded.libs)) throw new Error('not in shared_preload_libraries');
    if (stopEmbedded) await query(serverUrl, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await query(serverUrl, 'SELECT 1 FROM pg_stat_statements LIMIT 1');
    statementsAvailable = true;
  } catch (err) {
    log(`pg_stat_statements unavailable (${(err as Error).message.split('\n')[0]}): database round trips are not counted`);
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();

  return {
    url,
    name,
    embedded: stopEmbedded !== null,
    statementsAvailable,
    async snapshot() {
      if (!statementsAvailable) return null;
      const { rows } = await admin.query<{ query: string; calls: string }>(
        `SELECT s.query, sum(s.calls)::text AS calls FROM pg_stat_statements s
           JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 GROUP BY s.query`,
        [name],
      );
      return { byQuery: new Map(rows.map((r) => [r.query, Number(r.calls)])) };
    },
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      if (stopEmbedded) await stopEmbedded();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type StatementKind = 'begin' | 'commit' | 'select' | 'insert' | 'update' | 'delete' | 'other';

export function statementKind(sql: string): StatementKind {
  const head = sql.trim().slice(0, 12).toUpperCase();
  if (head.startsWith('BEGIN') || head.startsWith('START')) return 'begin';
  if (head.startsWith('COMMIT') || head.startsWith('ROLLBACK')) return 'commit';
  if (head.startsWith('SELECT') || head.startsWith('WITH')) return 'select';
  if (head.startsWith('INSERT')) return 'insert';
  if (head.startsWith('UPDATE')) return 'update';
  if (head.startsWith('DELETE')) return 'delete';
  return 'other';
}

/** The main table a statement touches, for the breakdown ("ParkedCall", "ParkEvent", ...). */
function tableOf(sql: string): string {
  const m = /(?:FROM|INTO|UPDATE)\s+"?(?:public"?\."?)?"?([A-Za-z_]+)"?/i.exec(sql);
  return m ? m[1] : '';
}

export interface DbDelta {
  /** Every statement the service sent (each one a round trip), readiness probes excluded. */
  roundTrips: number;
  writes: number;
  reads: number;
  transactions: number;
  /** "<kind> <table>" -> calls */
  breakdown: Record<string, number>;
  /** The statements themselves (normalised text, first 160 characters) -> calls. */
  statements: Record<string, number>;
}

/** What the service sent between two snapshots; `SELECT 1` (the readiness probe the bench polls) is left out. */
export function dbDelta(before: StatementCounts | null, after: StatementCounts | null): DbDelta | null {
  if (!before || !after) return null;
  const delta: DbDelta = { roundTrips: 0, writes: 0, reads: 0, transactions: 0, breakdown: {}, statements: {} };
  for (const [sql, calls] of after.byQuery) {
    const n = calls - (before.byQuery.get(sql) ?? 0);
    if (n <= 0) continue;
    if (/^\s*SELECT\s+\$?1\s*$/i.test(sql)) continue;
    const kind = statementKind(sql);
    delta.roundTrips += n;
    if (kind === 'insert' || kind === 'update' || kind === 'delete') delta.writes += n;
    if (kind === 'select') delta.reads += n;
    if (kind === 'begin') delta.transactions += n;
    const key = `${kind}${tableOf(sql) ? ` ${tableOf(sql)}` : ''}`;
    delta.breakdown[key] = (delta.breakdown[key] ?? 0) + n;
    const text = sql.replace(/\s+/g, ' ').slice(0, 160);
    delta.statements[text] = (delta.statements[text] ?? 0) + n;
  }
  return delta;
}
