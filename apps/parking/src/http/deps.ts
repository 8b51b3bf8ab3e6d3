import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PrismaClient } from '../../../../generated/prisma/client';
import type { EventBus } from '../event-bus';
import type { ConfigSource } from '../ports';
import type { ParkingService } from '../service';
import type { EventSessions } from './event-sessions';
import type { HealthChecks } from './health';

// What the HTTP app is built from. Its own module, so that route files can name it without
// importing app.ts, which imports them.

/** What the call-control API needs of the parking service (tests may pass a stub). */
export type CallService = Pick<ParkingService, 'parked' | 'describe' | 'park' | 'deliver' | 'hangUp' | 'callsOf'>;

export interface HttpDeps {
  log: Logger;
  /** Readiness checks; `health.ari()` also gates call control (503 ari-unavailable). */
  health: HealthChecks;
  /** Prometheus registry served at /metrics. */
  metrics?: Registry;
  prisma: PrismaClient;
  /** Configuration cache of the call flows: invalidated after every configuration write. */
  configs: ConfigSource;
  service: CallService;
  /** The event bus: live events, and each tenant's sequence position and recent events for resuming clients. */
  events: Pick<EventBus, 'subscribe' | 'position' | 'since'>;
  /** The built console's folder, served at /console; unset: no console. */
  consoleDir?: string;
  /** WebSocket heartbeat interval (ms); default HEARTBEAT_MS. */
  heartbeatMs?: number;
  now: () => number;
  /** Bootstrap system-wide key (ADMIN_API_KEY); null: none. */
  adminApiKey: string | null;
  /** Webhooks may point to loopback/private/link-local addresses (WEBHOOK_ALLOW_PRIVATE_NETWORKS). */
  webhookAllowPrivateNetworks?: boolean;
  /** API requests per key (or per client address without one) and window; null: no limit. */
  rateLimit?: { max: number; windowMs: number } | null;
  /** /docs and /docs/json without a key (true), or with a system-wide key only. */
  publicDocs?: boolean;
  /** /metrics without a key (true), or with a system-wide key only. */
  publicMetrics?: boolean;
  /** Open event streams, closed when their key is revoked or their tenant deleted (built here when not given). */
  sessions?: EventSessions;
}
