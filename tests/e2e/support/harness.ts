/**
 * One end-to-end world per test file: a fresh database on the PostgreSQL server of
 * DATABASE_URL, tenant `acme` seeded in it, its dialplan installed in Asterisk, the REAL
 * service started in-process (startParkingService, as `npm start` does) and connected to ARI,
 * and a folder of sipp phones. `stop()` undoes all of it (and restores the dialplan file).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../../../generated/prisma/client';
import { renderTenantDialplan } from '../../../apps/parking/src/domain/dialplan';
import { startParkingService, type RunningService } from '../../../apps/parking/src/main';
import type { ParkingEvent } from '../../../apps/parking/src/ports';
import { PrismaConfigSource } from '../../../apps/parking/src/store/config-store';
import { applyMigrations, createPrismaClient, quoteIdentifier, withDatabase } from '../../../apps/parking/src/store/database';
import { adminQuery } from '../../support/db';
import { seedTenant, type SeedOptions } from '../../support/seed';
import { AriEvents } from './ari-events';
import { Asterisk } from './asterisk';
import { e2eEnv, type E2eEnv } from './env';
import { Phones } from './phones';
import { SippRun } from './sipp';
import { waitFor } from './wait';

const ROOT = path.resolve(__dirname, '../../..');
const APP = 'parking'; // the Stasis() application of asterisk-conf/extensions_parking.conf
/** The service's bootstrap system-wide API key in this run (ADMIN_API_KEY). */
const ADMIN_API_KEY = `e2e-admin-${randomBytes(18).toString('hex')}`;

export interface World {
  env: E2eEnv;
  asterisk: Asterisk;
  prisma: PrismaClient;
  /** The running service (a new instance after restartService()). */
  readonly service: RunningService;
  tenantId: string;
  /** Every event the service published (parked, retrieved, recall_started...), in order. */
  events: ParkingEvent[];
  /** Asterisk's own events, seen by a passive ARI application. */
  ariEvents: AriEvents;
  phones: Phones;
  sipp: SippRun;
  /** Stops the service gracefully, runs `meanwhile` (the service is down), and starts a new instance on the same database (O5). */
  restartService(meanwhile?: () => Promise<void>): Promise<void>;
  /** A request to the service's HTTP API with the admin key: status and parsed JSON body. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Hangs up what a test left behind and waits until Asterisk and the service are idle. */
  settle(): Promise<void>;
  stop(failed: boolean): Promise<void>;
}

export async function startWorld(seed: SeedOptions = {}): Promise<World> {
  const env = e2eEnv();
  const asterisk = new Asterisk(env);
  try {
    await asterisk.info();
  } catch (err) {
    throw new Error(`Asterisk's ARI is not reachable at ${env.ariUrl} (${(err as Error).message}): see tests/e2e/README.md`);
  }

  // A dedicated test Asterisk, in the same state for every file whatever ran before: no call
  // left over by an interrupted run, and no ARI bridge left by the previous file's service (a
  // restart with a bridge left behind is what service-restart.test.ts and
  // music-on-hold.test.ts look at, on purpose).
  const leftovers = await asterisk.channels();
  if (leftovers.length > 0) {
    console.warn(`e2e: hanging up ${leftovers.length} channel(s) left in Asterisk: ${leftovers.map((c) => c.name).join(', ')}`);
    for (const channel of leftovers) await asterisk.hangup(channel.id);
  }
  for (const bridge of await asterisk.bridges()) if (bridge.bridge_class === 'stasis') await asterisk.destroyBridge(bridge.id);

  const dbName = `parking_e2e_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  await adminQuery(env.databaseUrl, `CREATE DATABASE ${quoteIdentifier(dbName)}`);
  const dbUrl = withDatabase(env.databaseUrl, dbName);
  const cleanups: Array<() => Promise<void>> = [async () => adminQuery(env.databaseUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(dbName)} WITH (FORCE)`)];
  const undo = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => console.error('e2e cleanup:', err));
  };

  try {
    await applyMigrations(dbUrl, { migrationsDir: path.join(ROOT, 'prisma', 'migrations') });
    const prisma = createPrismaClient(dbUrl, { poolSize: 3 });
    cleanups.push(() => prisma.$disconnect());
    const tenant = await seedTenant(prisma, seed);

    const previousDialplan = existsSync(env.dialplanFile) ? readFileSync(env.dialplanFile, 'utf8') : null;
    await asterisk.installDialplan(renderTenantDialplan(await new PrismaConfigSource(prisma).allTenants(), APP));
    if (previousDialplan !== null) cleanups.push(() => asterisk.installDialplan(previousDialplan));

    const events: ParkingEvent[] = [];
    const startService = async (): Promise<RunningService> => {
      const running = await startParkingService({
        ari: { url: env.ariUrl, username: env.ariUsername, password: env.ariPassword, app: APP, maxSockets: 16 },
        databaseUrl: dbUrl,
        dataDir: path.join(ROOT, '.data'),
        // The receptionist console, when a test built it (tests/e2e/console.test.ts).
        consoleDir: process.env.CONSOLE_DIR ?? null,
        http: { host: '127.0.0.1', port: 0 },
        logLevel: env.logLevel,
        adminApiKey: ADMIN_API_KEY,
        // The service keeps the tenants' dialplan in Asterisk current itself (B3), as README says.
        asteriskDialplanFile: env.dialplanFile,
      });
      running.events.subscribe((event) => events.push(event));
      // Connected, and the first reconciliation with Asterisk is done (lamps set): ready.
      await waitFor('the service to connect to ARI and reconcile', () => running.connection.state === 'connected' && running.reconciledOnce, {
        timeoutMs: 20_000,
      });
      return running;
    };
    // stop() waits for queued database writes; a write that can never succeed would hold it forever.
    const stopService = (running: RunningService) =>
      withTimeout(running.stop(), 15_000, () => `the service to stop (${running.store.pending} database writes pending)`);
    let service = await startService();
    cleanups.push(() => stopService(service));

    const ariEvents = await AriEvents.connect(env);
    cleanups.push(async () => ariEvents.close());
    const sipp = new SippRun(env.sippBinary, { host: env.sipHost, port: env.sipPort });
    const phones = new Phones(sipp, asterisk);
    const world: World = {
      env,
      asterisk,
      prisma,
      get service() {
        return service;
      },
      tenantId: tenant.id,
      events,
      ariEvents,
      phones,
      sipp,
      async api(method, urlPath, body) {
        const response = await fetch(`${service.url}${urlPath}`, {
          method,
          headers: { Authorization: `Bearer ${ADMIN_API_KEY}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // not JSON
        }
        return { status: response.status, body: parsed as never };
      },
      async restartService(meanwhile) {
        await stopService(service);
        await meanwhile?.();
        service = await startService();
      },
      async settle() {
        await phones.hangUpAll();
        await waitFor('the service to hold no parked call', () => service.service.ctx.lots.all().length === 0, {
          timeoutMs: 10_000,
          detail: () => JSON.stringify(service.service.ctx.lots.all().map((c) => ({ place: c.placeKey, state: c.state }))),
        });
        await withTimeout(service.store.drained(), 10_000, () => `the service's database writes to drain (${service.store.pending} pending)`);
      },
      async stop(failed: boolean) {
        try {
          await phones.hangUpAll().catch(() => undefined);
          await phones.unregisterAll();
          await sipp.stopAll();
        } finally {
          await undo();
          if (failed || env.keepLogs) console.log(`e2e: sipp message logs kept in ${sipp.dir}`);
          else sipp.remove();
        }
      },
    };
    return world;
  } catch (err) {
    await undo();
    throw err;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
