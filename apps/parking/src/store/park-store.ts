import type { PrismaClient } from '../../../../generated/prisma/client';
import type { ParkOutcome, ParkedCall } from '../domain/parked-call';
import type { ParkStore, StoredPark } from '../ports';
import type { Logger } from 'pino';

type Write = () => Promise<unknown>;

/**
 * Durable life of parked calls. Callers never wait on the database: writes go into a queue
 * applied strictly in order, and a failed write is retried (with capped backoff) until the
 * database is back, so an outage delays the history but loses nothing (O5).
 */
export class PrismaParkStore implements ParkStore {
  private readonly queue: Write[] = [];
  private flushing = false;
  private failures = 0;
  private idle: Array<() => void> = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly log: Logger,
  ) {}

  /** Writes waiting for the database (a metric, and a readiness signal). */
  get pending(): number {
    return this.queue.length;
  }

  get healthy(): boolean {
    return this.failures === 0;
  }

  parked(call: ParkedCall, details: Record<string, unknown>): void {
    const row = {
      id: call.id,
      tenantId: call.tenantId,
      placeKind: call.place.kind,
      place: call.placeKey,
      groupId: call.groupId,
      callerChannelId: call.callerChannelId,
      callerName: call.callerName,
      callerNumber: call.callerNumber,
      parkerExtension: call.parker.extension,
      parkerEndpoint: call.parker.endpoint,
      method: call.method,
      state: 'PARKED' as const,
      parkedAt: new Date(call.parkedAt),
      recallAt: call.recallAt === null ? null : new Date(call.recallAt),
      timeoutAt: new Date(call.timeoutAt),
    };
    const event = { tenantId: call.tenantId, type: 'parked', at: new Date(call.parkedAt), details: details as object };
    this.enqueue(async () => {
      // A retried write may already have landed: then there is nothing to do.
      if (await this.prisma.parkedCall.findUnique({ where: { id: call.id }, select: { id: true } })) return;
      await this.prisma.parkedCall.create({ data: { ...row, events: { create: event } } });
    });
  }

  event(call: ParkedCall, type: string, details: Record<string, unknown> = {}): void {
    const data = { parkedCallId: call.id, tenantId: call.tenantId, type, at: new Date(), details: details as object };
    this.enqueue(() => this.prisma.parkEvent.create({ data }));
  }

  updated(call: ParkedCall): void {
    const data = {
      state: call.state === 'RECALLING' ? ('RECALLING' as const) : ('PARKED' as const),
      recallAt: call.recallAt === null ? null : new Date(call.recallAt),
      timeoutAt: new Date(call.timeoutAt),
      recallAttempts: call.recallAttempts,
    };
    this.enqueue(() => this.prisma.parkedCall.update({ where: { id: call.id }, data }));
  }

  ended(call: ParkedCall, outcome: ParkOutcome, details: Record<string, unknown>): void {
    const at = new Date();
    const by = typeof details.by === 'string' ? details.by : null;
    this.enqueue(() =>
      this.prisma.parkedCall.update({
        where: { id: call.id },
        data: {
          state: 'ENDED',
          endedAt: at,
          outcome,
          retrievedBy: by,
          recallAttempts: call.recallAttempts,
          events: { create: { tenantId: call.tenantId, type: outcome.toLowerCase(), at, details: details as object } },
        },
      }),
    );
  }

  async live(): Promise<StoredPark[]> {
    const rows = await this.prisma.parkedCall.findMany({ where: { state: { not: 'ENDED' } }, orderBy: { parkedAt: 'asc' } });
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenantId,
      placeKey: r.place,
      groupId: r.groupId,
      callerChannelId: r.callerChannelId,
      callerName: r.callerName,
      callerNumber: r.callerNumber,
      parker: { extension: r.parkerExtension, endpoint: r.parkerEndpoint },
      method: r.method,
      parkedAt: r.parkedAt.getTime(),
      recallAt: r.recallAt?.getTime() ?? null,
      timeoutAt: r.timeoutAt.getTime(),
      recallAttempts: r.recallAttempts,
    }));
  }

  /** Resolves when every queued write has been applied. */
  drained(): Promise<void> {
    if (this.queue.length === 0 && !this.flushing) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** After close (the service stopping), nothing more is written. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private enqueue(write: Write): void {
    if (this.closed) return this.log.warn('database write after stop dropped');
    this.queue.push(write);
    if (!this.flushing && !this.retryTimer) void this.flush();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      try {
        await this.queue[0]();
        this.queue.shift();
        if (this.failures > 0) this.log.info({ pending: this.queue.length }, 'database writes resumed');
        this.failures = 0;
      } catch (err) {
        if (isPermanent(err)) {
          // A write that can never succeed (e.g. the end of a park whose start was never
          // recorded) must not hold back every write after it.
          this.log.error({ err }, 'database write refused; dropped');
          this.queue.shift();
          continue;
        }
        this.failures++;
        // Capped low: the queue lives in memory, so it must drain soon after the database is back.
        const delay = Math.min(200 * 2 ** Math.min(this.failures, 4), 2000);
        if (this.failures === 1) this.log.error({ err, pending: this.queue.length }, 'database write failed; queued writes will be retried');
        this.flushing = false;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          void this.flush();
        }, delay);
        return;
      }
    }
    this.flushing = false;
    this.idle.splice(0).forEach((resolve) => resolve());
  }
}

/** Prisma's P2xxx errors are about the data, not the connection: retrying cannot help. */
function isPermanent(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^P2\d{3}$/.test(code);
}
