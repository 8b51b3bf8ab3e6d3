/**
 * npm run db:migration -- <name>
 *
 * After a change to prisma/schema.prisma: writes prisma/migrations/<timestamp>_<name>/migration.sql,
 * the SQL that takes a database migrated so far to the new schema. It runs
 * `prisma migrate dev --create-only` (through our WebAssembly schema engine, see README.md) on a
 * scratch database, dropped afterwards: on DATABASE_URL's server if set, otherwise on a throwaway
 * embedded PostgreSQL. Nothing else is touched; review the file, then commit it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase, quoteIdentifier, startEmbeddedPostgres } from '../apps/parking/src/store/database';

const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<number> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error('usage: npm run db:migration -- <name>   (lower case letters, digits and _, e.g. add_slot_label)');
    return 2;
  }
  let serverUrl = process.env.DATABASE_URL;
  let embedded: { stop(): Promise<void>; dataDir: string } | null = null;
  if (!serverUrl) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parking-migration-pg-'));
    const server = await startEmbeddedPostgres({ dataDir, postgresFlags: ['-c', 'fsync=off'] });
    embedded = { stop: server.stop, dataDir };
    serverUrl = server.url;
  }
  const scratch = `parking_migration_${randomBytes(4).toString('hex')}`;
  try {
    const url = await ensureDatabase(serverUrl, scratch);
    const cli = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'dev', '--create-only', '--name', name],
      { cwd: ROOT, stdio: 'inherit', env: { ...process.env, DATABASE_URL: url } },
    );
    return cli.status ?? 1;
  } finally {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(scratch)} WITH (FORCE)`);
    await client.end();
    if (embedded) {
      await embedded.stop();
      await rm(embedded.dataDir, { recursive: true, force: true });
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
