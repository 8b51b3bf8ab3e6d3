/**
 * Jest global teardown: drops every database of this run (the template, and any test file's
 * database left behind by a crash), then stops and deletes the embedded cluster if there is one.
 */
import { rm } from 'node:fs/promises';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const run = globalThis.parkingTestDatabaseRun;
  if (!run) return;
  globalThis.parkingTestDatabaseRun = undefined;
  try {
    const client = new pg.Client({ connectionString: run.serverUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1 || '_')",
        [run.prefix],
      );
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    } finally {
      await client.end();
    }
  } finally {
    if (run.embedded) {
      await run.embedded.server.stop();
      await rm(run.embedded.dataDir, { recursive: true, force: true });
    }
  }
}
