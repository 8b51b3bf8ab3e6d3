import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ParkingEvent } from './ports';

/**
 * Prometheus metrics (O4). One registry per running service, so tests can run several.
 * Counters follow the event stream; gauges are read at scrape time.
 */
export function createMetrics(sources: {
  parkedByTenant: () => Map<string, number>;
  ariConnected: () => boolean;
  pendingWrites: () => number;
  isActive: () => boolean;
}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const outcomes = new Counter({
    name: 'parking_operations_total',
    help: 'Parks, retrievals, recalls and their outcomes, by event type',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const parkLatency = new Histogram({
    name: 'parking_park_duration_seconds',
    help: 'From the call reaching the service to the caller parked with music and lamp set',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const retrieveLatency = new Histogram({
    name: 'parking_retrieve_duration_seconds',
    help: 'From the retriever reaching the service to both bridged',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const ariErrors = new Counter({
    name: 'parking_ari_request_errors_total',
    help: 'ARI requests that failed, by error id',
    labelNames: ['error'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'parking_parked_calls',
    help: 'Calls parked now, by tenant id',
    labelNames: ['tenant'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [tenant, count] of sources.parkedByTenant()) this.set({ tenant }, count);
    },
  });
  new Gauge({
    name: 'parking_ari_connected',
    help: '1 when the ARI WebSocket is connected',
    registers: [registry],
    collect() {
      this.set(sources.ariConnected() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'parking_active_instance',
    help: '1 when this instance holds the lock and owns the ARI application (O6)',
    registers: [registry],
    collect() {
      this.set(sources.isActive() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'parking_db_write_queue_length',
    help: 'Database writes waiting (they are retried until the database is back)',
    registers: [registry],
    collect() {
      this.set(sources.pendingWrites());
    },
  });
  return {
    registry,
    onEvent: (event: ParkingEvent) => outcomes.inc({ type: event.type }),
    observePark: (seconds: number) => parkLatency.observe(seconds),
    observeRetrieve: (seconds: number) => retrieveLatency.observe(seconds),
    ariError: (id: string) => ariErrors.inc({ error: id }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
