import path from 'node:path';
import { loadConfig } from '../../apps/parking/src/config';
import { renderTenantDialplan } from '../../apps/parking/src/domain/dialplan';
import { startParkingService, type RunningService } from '../../apps/parking/src/main';
import type { ServiceOptions } from '../../apps/parking/src/usecases/context';
import type { ParkingEvent } from '../../apps/parking/src/ports';
import { createOwnServerDatabase, createTestDatabase, type OwnServerDatabase, type TestDatabase } from './db';
import { FakeAsterisk, type FakeAsteriskOptions } from './fake-asterisk';
import { ManualClock } from './manual-clock';
import { TcpProxy } from './tcp-proxy';
import { seedTenant, type SeedOptions } from './seed';

const ROOT = path.resolve(__dirname, '../..');

/** The bootstrap admin key of the service under test. */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface Harness {
  db: TestDatabase & Partial<Pick<OwnServerDatabase, 'stopServer' | 'startServer'>>;
  fake: FakeAsterisk;
  clock: ManualClock;
  proxy: TcpProxy | null;
  running: RunningService;
  events: ParkingEvent[];
  tenantId: string;
  /** Regenerates the tenants' dialplan in the fake after a configuration change. */
  reloadDialplan(): Promise<void>;
  /**
   * Stops the service (parked callers stay in the fake) and starts a new one on the same
   * database and clock; `meanwhile` runs while no service is there.
   */
  restartService(meanwhile?: () => void | Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real service (real ari-client over HTTP and WebSocket, real PostgreSQL) against the
 * fake Asterisk, which runs the project's own dialplan from asterisk-conf/. Time is a
 * ManualClock: recall and timeouts are driven by `clock.advance`, never by sleeping.
 */
export interface HarnessOptions {
  seed?: SeedOptions;
  options?: Partial<ServiceOptions>;
  random?: (n: number) => number;
  fake?: Partial<FakeAsteriskOptions>;
  /** Put a TcpProxy between the service and PostgreSQL (to cut the database off). */
  dbProxy?: boolean;
  /** The database on an embedded PostgreSQL server of the test's own, to stop and start (h.db). */
  ownPostgres?: boolean;
  /** More service environment (e.g. CONSOLE_DIR for the browser tests). */
  env?: Record<string, string>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const db = opts.ownPostgres ? await createOwnServerDatabase() : await createTestDatabase();
  const tenant = await seedTenant(db.prisma, opts.seed);
  const fake = await FakeAsterisk.start({ dialplanFiles: [path.join(ROOT, 'asterisk-conf/extensions.conf.sample')], ...opts.fake });
  const extensions = await db.prisma.extension.findMany();
  for (const ext of extensions) fake.addPhone({ number: ext.endpoint.slice('PJSIP/'.length), context: 'from-acme' });
  const clock = new ManualClock();
  let proxy: TcpProxy | null = null;
  let serviceDbUrl = db.url;
  if (opts.dbProxy) {
    const url = new URL(db.url);
    proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    await proxy.start();
    url.port = String(proxy.port);
    serviceDbUrl = url.toString();
  }
  const config = loadConfig({
    DATABASE_URL: serviceDbUrl,
    ARI_URL: fake.url,
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    ...opts.env,
  });
  const events: ParkingEvent[] = [];
  const launch = async () => {
    const running = await startParkingService(config, { clock, options: opts.options, random: opts.random });
    running.events.subscribe((e) => events.push(e));
    await new Promise<void>((resolve) => {
      if (running.reconciledOnce) return resolve();
      running.connection.once('reconciled', () => resolve());
    });
    return running;
  };
  let running = await launch();
  const reloadDialplan = async () => {
    running.configs.invalidate();
    fake.loadDialplan(renderTenantDialplan(await running.configs.allTenants(), 'parking'));
  };
  await reloadDialplan();
  return {
    db,
    fake,
    clock,
    proxy,
    get running() {
      return running;
    },
    events,
    tenantId: tenant.id,
    reloadDialplan,
    async restartService(meanwhile) {
      await running.stop();
      await meanwhile?.();
      running = await launch();
    },
    async stop() {
      proxy?.restore();
      await running.stop();
      await proxy?.stop();
      await fake.stop();
      await db.drop();
    },
  };
}

/** Media played to a channel, in order (sound:..., digits:...). */
export function playedTo(h: Harness, channelId: string): string[] {
  return h.fake.playbacks().filter((p) => p.target_uri === `channel:${channelId}`).flatMap((p) => p.medias);
}

/** The live parked calls of the service, as the API would describe them. */
export function parked(h: Harness) {
  return h.running.service.ctx.lots.all().map((c) => ({ place: c.placeKey, method: c.method, caller: c.callerChannelId, state: c.state }));
}

/**
 * Waits for a condition on the service's own state (lots, database queue), which the fake's
 * waitFor cannot see change. Polls every few ms; the deadline only bounds a failing test.
 */
export async function eventually(predicate: () => boolean | Promise<boolean>, description = 'condition', timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
