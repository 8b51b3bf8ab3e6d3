import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createLogger } from '../../../apps/parking/src/logger';
import type { ParkedCall } from '../../../apps/parking/src/domain/parked-call';
import { EventBus } from '../../../apps/parking/src/event-bus';
import { buildHttpApp, type HttpDeps } from '../../../apps/parking/src/http/app';
import type { CallService } from '../../../apps/parking/src/http/deps';
import type { ParkingService } from '../../../apps/parking/src/service';
import { PrismaConfigSource } from '../../../apps/parking/src/store/config-store';
import { describe as describeCall } from '../../../apps/parking/src/domain/describe-call';
import { createTestDatabase, type TestDatabase } from '../../support/db';

export const ADMIN_KEY = 'admin-key-for-tests-0123456789';
export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A stand-in for the parking service's call control: live calls are what the test puts in `calls`. */
export class StubService implements CallService {
  calls: ParkedCall[] = [];
  parked = (tenantId?: string) => this.calls.filter((c) => tenantId === undefined || c.tenantId === tenantId);
  describe = describeCall;
  park = jest.fn<ReturnType<ParkingService['park']>, Parameters<ParkingService['park']>>();
  deliver = jest.fn<ReturnType<ParkingService['deliver']>, Parameters<ParkingService['deliver']>>();
  hangUp = jest.fn<ReturnType<ParkingService['hangUp']>, Parameters<ParkingService['hangUp']>>();
  callsOf = jest.fn<ReturnType<ParkingService['callsOf']>, Parameters<ParkingService['callsOf']>>(async () => []);
}

/** A live parked call as the service holds it. */
export function parkedCall(tenantId: string, over: Partial<ParkedCall> = {}): ParkedCall {
  const number = over.placeKey ?? '7001';
  return {
    id: '7b0c2a5e-0000-4000-8000-000000000001',
    tenantId,
    place: { kind: 'SLOT', number },
    placeKey: number,
    groupId: null,
    callerChannelId: 'caller-1',
    callerName: 'Alice',
    callerNumber: '5551234',
    parker: { extension: '101', endpoint: 'PJSIP/101' },
    method: 'BLIND_TRANSFER',
    state: 'PARKED',
    parkedAt: T0 - 30_000,
    recallAt: T0 + 90_000,
    timeoutAt: T0 + 870_000,
    recallAttempts: 0,
    recallPhase: null,
    ringing: [],
    holdingBridgeId: 'parking-acme-default',
    musicClass: 'default',
    ...over,
  };
}

export interface ApiHarness {
  app: FastifyInstance;
  db: TestDatabase;
  bus: EventBus;
  configs: PrismaConfigSource;
  service: StubService;
  clock: { now: number };
  ari: { state: 'connected' | 'connecting' | 'reconnecting' | 'stopped' };
  /** app.inject with `Authorization: Bearer <key>` (the admin key unless told otherwise; null: none). */
  call(method: InjectOptions['method'], url: string, opts?: { key?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** A tenant created through the API, and a key scoped to it. */
  tenant(slug: string, settings?: Record<string, unknown>): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

/**
 * `overrides`: HttpDeps to change (e.g. webhookAllowPrivateNetworks, rateLimit, publicDocs,
 * replayLimit, heartbeatMs); `prisma` in them replaces the test database's client (e.g. one that
 * cannot reach PostgreSQL).
 */
export async function startApi(options: Partial<HttpDeps> & { replayLimit?: number } = {}): Promise<ApiHarness> {
  const { replayLimit, ...overrides } = options;
  const db = await createTestDatabase();
  const bus = new EventBus(Date.now, replayLimit);
  const configs = new PrismaConfigSource(db.prisma);
  const service = new StubService();
  const clock = { now: T0 };
  const ari: ApiHarness['ari'] = { state: 'connected' };
  const app = await buildHttpApp({
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    health: { database: async () => undefined, ari: () => ari.state, pendingWrites: () => 0 },
    prisma: db.prisma,
    configs,
    service,
    events: bus,
    now: () => clock.now,
    adminApiKey: ADMIN_KEY,
    ...overrides,
  });
  const call: ApiHarness['call'] = (method, url, opts = {}) => {
    const key = opts.key === undefined ? ADMIN_KEY : opts.key;
    const headers: Record<string, string> = { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...opts.headers };
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    return app.inject({ method, url, headers, payload });
  };
  return {
    app,
    db,
    bus,
    configs,
    service,
    clock,
    ari,
    call,
    async tenant(slug, settings = {}) {
      // What the operator grants a test tenant unless told otherwise: PJSIP endpoints, and the contexts the tests name.
      const grants = { endpointPatterns: ['PJSIP/*'], dialplanContexts: ['ops', 'night-service', 'x', 'operator'] };
      const created = await call('POST', '/api/v1/tenants', { body: { slug, name: slug.toUpperCase(), ...grants, ...settings } });
      if (created.statusCode !== 201) throw new Error(`tenant ${slug}: ${created.body}`);
      const id = created.json().id as string;
      const key = await call('POST', '/api/v1/api-keys', { body: { name: `${slug} key`, tenantId: id } });
      return { id, key: key.json().key as string };
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
