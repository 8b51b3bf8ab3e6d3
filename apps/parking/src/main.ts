import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Logger } from 'pino';
import { AriCallControl } from './ari/ari-call-control';
import { AriConnection } from './ari/ari-connection';
import { systemClock } from './clock';
import { loadConfig, ConfigError, type Config } from './config';
import { EventBus } from './event-bus';
import { buildHttpApp } from './http/app';
import { WebhookSender } from './http/webhook-sender';
import { createLogger } from './logger';
import type { Clock, ConfigSource } from './ports';
import type { AsteriskSetupReport } from './usecases/check-asterisk';
import { DialplanSync } from './dialplan-sync';
import { createParkingService } from './service';
import { PrismaConfigSource } from './store/config-store';
import { applyMigrations, createPrismaClient, startEmbeddedPostgres } from './store/database';
import { LeaderLock } from './store/leader-lock';
import { PrismaParkStore } from './store/park-store';
import { createMetrics } from './metrics';
import { verifyPin } from './store/pin-hash';
import { guardPins } from './pin-guard';
import type { ServiceOptions } from './usecases/context';

const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../..' : '../../..');

export interface StartOverrides {
  clock?: Clock;
  log?: Logger;
  options?: Partial<ServiceOptions>;
  random?: (n: number) => number;
  pingIntervalMs?: number;
  /** How often a standby tries to take over (O6). */
  lockRetryMs?: number;
  /** Debounce of dialplan writes after configuration changes (B3). */
  dialplanDebounceMs?: number;
  /** Event stream heartbeat (ms). */
  heartbeatMs?: number;
}

/**
 * Builds and wires the whole service: config -> database -> ARI -> HTTP. The only place
 * where things are constructed; tests start the very same thing with their own config.
 */
export async function startParkingService(config: Config, overrides: StartOverrides = {}) {
  const log = overrides.log ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;

  let databaseUrl = config.databaseUrl;
  let embedded: { url: string; stop(): Promise<void> } | null = null;
  if (!databaseUrl) {
    const started = await startEmbeddedPostgres({ dataDir: path.resolve(config.dataDir, 'postgres') });
    embedded = started;
    databaseUrl = started.url;
    log.info({ dataDir: config.dataDir }, 'embedded PostgreSQL started');
  }
  const applied = await applyMigrations(databaseUrl, { migrationsDir: path.join(ROOT, 'prisma', 'migrations') });
  if (applied.length > 0) log.info({ applied }, 'database migrated');
  const prisma = createPrismaClient(databaseUrl);

  const configs = new PrismaConfigSource(prisma);
  let dialplan: DialplanSync | null = null;
  // What the API writes through: every configuration change also refreshes the dialplan file (B3).
  const httpConfigs: ConfigSource = {
    tenantBySlug: (slug) => configs.tenantBySlug(slug),
    tenantById: (id) => configs.tenantById(id),
    endpointOwner: (endpoint) => configs.endpointOwner(endpoint),
    allTenants: () => configs.allTenants(),
    invalidate: (tenantId) => {
      configs.invalidate(tenantId);
      dialplan?.schedule();
    },
  };
  const store = new PrismaParkStore(prisma, log);
  const events = new EventBus(clock.now);
  let onEvent: (event: Parameters<ReturnType<typeof createParkingService>['onEvent']>[0]) => void = () => undefined;
  const connection = new AriConnection(
    {
      url: config.ari.url,
      username: config.ari.username,
      password: config.ari.password,
      app: config.ari.app,
      log,
      maxSockets: config.ari.maxSockets,
      pingIntervalMs: overrides.pingIntervalMs ?? 5000,
      maxBackoffMs: 10_000,
    },
    (event) => onEvent(event),
  );
  const lock = new LeaderLock(databaseUrl, config.ari.app, log, overrides.lockRetryMs ?? 1000);
  let lots: { all(): Array<{ tenantId: string }> } = { all: () => [] };
  const metrics = createMetrics({
    parkedByTenant: () => {
      const counts = new Map<string, number>();
      for (const call of lots.all()) counts.set(call.tenantId, (counts.get(call.tenantId) ?? 0) + 1);
      return counts;
    },
    ariConnected: () => connection.state === 'connected',
    pendingWrites: () => store.pending,
    isActive: () => lock.held,
  });
  events.subscribe(metrics.onEvent);
  const ari = new AriCallControl(connection.current, config.ari.app, metrics.ariError);
  if (config.asteriskDialplanFile) {
    dialplan = new DialplanSync({
      file: config.asteriskDialplanFile,
      app: config.ari.app,
      configs: { allTenants: async () => (configs.invalidate(), configs.allTenants()) },
      reload: () => ari.reloadModule('pbx_config.so'),
      log,
      debounceMs: overrides.dialplanDebounceMs,
    });
  }
  const service = createParkingService({
    app: config.ari.app,
    ari,
    telemetry: { parked: (ms) => metrics.observePark(ms / 1000), connected: (ms) => metrics.observeRetrieve(ms / 1000) },
    configs,
    store,
    events,
    clock,
    log,
    verifyPin: guardPins({ verify: verifyPin, now: () => clock.now(), log, events, configs }),
    options: overrides.options,
    random: overrides.random,
  });
  onEvent = service.onEvent;
  lots = service.ctx.lots;
  let reconciledOnce = false;
  // On every (re)connection; a failed reconciliation is tried again while connected, since
  // until it succeeds parked calls may be unadopted and lamps stale.
  const reconcile = (attempt: number) => {
    service.reconcile().then(
      (report) => {
        reconciledOnce = true;
        connection.emit('reconciled', report);
      },
      (err) => {
        log.error({ err, attempt }, 'reconciliation failed; trying again');
        setTimeout(() => connection.state === 'connected' && reconcile(attempt + 1), Math.min(500 * attempt, 5000)).unref();
      },
    );
  };
  connection.on('connected', () => reconcile(1));
  // What the dialplan fallback and the prompts need (O3); reported, not fatal.
  let asteriskSetup: AsteriskSetupReport | null = null;
  connection.on('connected', () => {
    service.checkAsterisk().then(
      (report) => {
        asteriskSetup = report;
        connection.emit('asterisk-checked', report);
      },
      (err) => log.warn({ err }, 'could not check res_parking and the prompts on Asterisk'),
    );
  });
  // After every (re)connection Asterisk may have restarted with an older file: write and reload.
  connection.on('connected', () => void dialplan?.syncNow(true));

  const http = await buildHttpApp({
    log,
    health: {
      database: async () => {
        await prisma.$queryRaw`SELECT 1`;
      },
      ari: () => (lock.held || connection.state === 'connected' ? connection.state : 'standby'),
      pendingWrites: () => store.pending,
      asteriskSetup: () => asteriskSetup,
    },
    metrics: metrics.registry,
    prisma,
    configs: httpConfigs,
    service,
    events,
    now: clock.now,
    adminApiKey: config.adminApiKey,
    webhookAllowPrivateNetworks: config.webhookAllowPrivateNetworks,
    rateLimit: config.apiRateLimitPerMinute ? { max: config.apiRateLimitPerMinute, windowMs: 60_000 } : null,
    publicDocs: config.publicDocs,
    publicMetrics: config.publicMetrics,
    consoleDir: config.consoleDir ?? path.join(ROOT, 'dist', 'console'),
    heartbeatMs: overrides.heartbeatMs,
  });
  const webhooks = new WebhookSender({ prisma, events, now: clock.now, log, allowPrivateNetworks: config.webhookAllowPrivateNetworks });
  await http.listen({ host: config.http.host, port: config.http.port });

  // Only the active instance owns the ARI application; a standby waits for the lock (O6).
  const stepDown = new EventEmitter();
  let ariStarted = false;
  let stopping = false;
  lock.on('acquired', () => {
    if (ariStarted || stopping) return;
    ariStarted = true;
    connection.start();
    webhooks.start(); // on the active instance only: two workers would send pending deliveries twice
  });
  const yieldTo = (why: string) => {
    log.error({ why }, 'another instance is active: stepping down (parked calls stay in Asterisk)');
    stepDown.emit('step-down', why);
  };
  lock.on('taken', () => yieldTo('lock taken'));
  connection.on('replaced', () => yieldTo('ARI application replaced'));
  lock.start();
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  log.info({ port, ari: config.ari.url }, 'parking service started');

  return {
    service,
    connection,
    events,
    store,
    prisma,
    configs,
    http,
    webhooks,
    dialplan,
    lock,
    metrics,
    /** Emits 'step-down' when another instance took over: stop this one (main() starts a standby). */
    stepDown,
    url: `http://${config.http.host}:${port}`,
    get reconciledOnce() {
      return reconciledOnce;
    },
    /** Graceful stop: parked callers stay in Asterisk, for the next start to adopt (O5). */
    async stop(): Promise<void> {
      stopping = true;
      dialplan?.stop();
      await lock.stop();
      service.stop();
      await connection.stop();
      await http.close();
      await webhooks.stop();
      // Writes still queued (database down) are given a moment; the next start reconciles the rest.
      await Promise.race([store.drained(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (store.pending > 0) log.warn({ pending: store.pending }, 'stopping with database writes not applied');
      store.close();
      await prisma.$disconnect();
      await embedded?.stop();
    },
  };
}

export type RunningService = Awaited<ReturnType<typeof startParkingService>>;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let running = await startParkingService(config, { log });
  let stopping = false;
  // Another instance took over ARI (O6): stop, and start again in this process as the standby
  // (parked calls stay in Asterisk; the lock decides who is active). While the database is
  // unreachable the start fails: it is tried again until it works or the process is stopped.
  const becomeStandby = async (why: string) => {
    log.warn({ why }, 'stepping down: restarting as the standby');
    await running.stop().catch((err) => log.error({ err }, 'stopping after the step-down failed'));
    for (let attempt = 1; !stopping; attempt++) {
      try {
        running = await startParkingService(config, { log });
        running.stepDown.once('step-down', (reason: string) => void becomeStandby(reason));
        if (stopping) await running.stop();
        return;
      } catch (err) {
        log.error({ err: (err as Error).message, attempt }, 'restart as the standby failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 10_000)));
      }
    }
  };
  running.stepDown.once('step-down', (reason: string) => void becomeStandby(reason));
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping; parked calls stay in Asterisk');
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`parking service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
