/**
 * The database plumbing: our migration runner, the committed migrations against the schema
 * (through the real Prisma CLI and our WebAssembly schema engine), and the generated client.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, MigrationError } from '../../apps/parking/src/store/database';
import { createTestDatabase, TEST_DB_ENV, type TestDatabase } from '../support/db';

const ROOT = path.resolve(__dirname, '../..');
const MIGRATIONS_DIR = path.join(ROOT, 'prisma', 'migrations');
/** Every committed migration, in the order they apply. */
const ALL = readdirSync(path.join(ROOT, 'prisma', 'migrations')).filter((name) => /^\d{14}_/.test(name)).sort();

/** Runs the Prisma CLI as a developer would (prisma.config.ts names our engine), on `databaseUrl`. */
function prisma(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js'), ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1' }, timeout: 15_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  started_at: Date;
  finished_at: Date | null;
  logs: string | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

function migrationRows(db: TestDatabase): Promise<MigrationRow[]> {
  return db.prisma.$queryRawUnsafe<MigrationRow[]>('SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
}

describe('applyMigrations', () => {
  const databases: TestDatabase[] = [];
  const empty = async () => {
    const db = await createTestDatabase({ migrated: false });
    databases.push(db);
    return db;
  };
  afterAll(() => Promise.all(databases.map((db) => db.drop())));

  it('applies the migrations once, and records them as prisma migrate deploy does', async () => {
    const [ours, theirs] = await Promise.all([empty(), empty()]);

    const applied = await applyMigrations(ours.url, { migrationsDir: MIGRATIONS_DIR });
    expect(applied).toEqual(ALL);
    expect(await applyMigrations(ours.url, { migrationsDir: MIGRATIONS_DIR })).toEqual([]);

    const deploy = await prisma(['migrate', 'deploy'], theirs.url);
    expect(deploy).toMatchObject({ code: 0, stdout: expect.stringContaining('All migrations have been successfully applied') });

    const [mine, prismas] = [await migrationRows(ours), await migrationRows(theirs)];
    expect(mine).toHaveLength(ALL.length);
    const strip = ({ id, started_at, finished_at, ...rest }: MigrationRow) => rest;
    expect(mine.map(strip)).toEqual(prismas.map(strip));
    expect(mine[0]).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      migration_name: applied[0],
      logs: null,
      rolled_back_at: null,
      applied_steps_count: 1,
    });
    expect(mine[0].finished_at!.getTime()).toBeGreaterThanOrEqual(mine[0].started_at.getTime());
  });

  it('lets only one of two concurrent runners apply a migration', async () => {
    const db = await empty();
    const results = await Promise.all([1, 2, 3].map(() => applyMigrations(db.url, { migrationsDir: MIGRATIONS_DIR })));
    expect(results.flat()).toEqual(ALL);
    expect(await migrationRows(db)).toHaveLength(ALL.length);
  });

  it('rolls a failing migration back whole and records nothing of it', async () => {
    const db = await empty();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parking-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await mkdir(path.join(dir, '29991231000000_broken'));
      await writeFile(
        path.join(dir, '29991231000000_broken', 'migration.sql'),
        'CREATE TABLE "HalfDone" ("id" INTEGER);\nSELECT * FROM "NoSuchTable";\n',
      );
      await expect(applyMigrations(db.url, { migrationsDir: dir })).rejects.toThrow(/29991231000000_broken failed.*NoSuchTable/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect((await migrationRows(db)).map((row) => row.migration_name)).toEqual(ALL);
    expect(await db.prisma.$queryRawUnsafe(`SELECT to_regclass('"HalfDone"')::text AS t`)).toEqual([{ t: null }]);
  });

  it('refuses a database whose applied migration differs from the file', async () => {
    const db = await empty();
    await applyMigrations(db.url, { migrationsDir: MIGRATIONS_DIR });
    await db.prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64)`);
    const run = applyMigrations(db.url, { migrationsDir: MIGRATIONS_DIR });
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(/was changed after it was applied/);
  });
});

describe('migrations and schema (Prisma CLI through prisma/engine/schema-engine.js)', () => {
  let db: TestDatabase; // migrated by our runner (the template is)
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('the migrations produce exactly prisma/schema.prisma (replayed on a shadow database)', async () => {
    // The shadow database is created and dropped on the server of DATABASE_URL.
    const serverUrl = process.env[TEST_DB_ENV.serverUrl]!;
    const diff = await prisma(
      ['migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--exit-code'],
      serverUrl,
    );
    expect(diff).toMatchObject({ code: 0, stdout: expect.stringContaining('No difference detected.') });
  });

  it('a database migrated by our runner matches prisma/schema.prisma', async () => {
    const diff = await prisma(
      ['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--exit-code'],
      db.url,
    );
    expect(diff).toMatchObject({ code: 0, stdout: expect.stringContaining('No difference detected.') });
  });

  it('prisma migrate status agrees that such a database is up to date', async () => {
    const status = await prisma(['migrate', 'status'], db.url);
    expect(status).toMatchObject({ code: 0, stdout: expect.stringContaining('Database schema is up to date!') });
  });
});

describe('Prisma client', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('creates a tenant with the schema defaults and reads it back', async () => {
    const created = await db.prisma.tenant.create({ data: { slug: 'acme', name: 'Acme' } });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      parkPrefix: '*70',
      retrievePrefix: '*71',
      groupParkCodes: ['*58', '#58'],
      parkMode: 'NEXT_SLOT',
      recallTimerSec: 120,
      slotLimit: 100,
      recallAlertInfo: '<http://127.0.0.1>;info=Bellcore-dr2',
    });
    const read = await db.prisma.tenant.findUniqueOrThrow({ where: { slug: 'acme' } });
    expect(read).toEqual(created);
  });
});

describe('startEmbeddedPostgres (in a child process: jest cannot load the ESM-only embedded-postgres)', () => {
  it('initialises an empty folder, refuses a taken port, and reuses the cluster at the next start', async () => {
    const check = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'tests', 'support', 'embedded-postgres-check.ts')],
        { cwd: ROOT, timeout: 15_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const result = JSON.parse(check.trim().split('\n').pop()!);
    expect(result.refused).toMatch(new RegExp(`port ${result.takenPort}.*Address already in use`, 's'));
    expect(result.kept).toEqual([{ n: 42 }]);
  });
});
