import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { PrismaClient } from '../../../../generated/prisma/client';
import type { ParkingEvent } from '../ports';
import { deliveryQueue } from '../store/webhooks-repo';
import { fetch, type Agent } from 'undici';
import { BLOCKED, urlAllowed, webhookDispatcher } from './webhook-address';

export const SIGNATURE_HEADER = 'x-parking-signature';
export const TIMESTAMP_HEADER = 'x-parking-timestamp';

/**
 * `sha256=<hex>` HMAC-SHA256, keyed with the webhook's secret, of "<timestamp>.<raw body>"
 * (the timestamp header's value, in Unix seconds: a receiver can refuse old replays).
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): is `signature` the one of this timestamp and body? */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface WebhookSenderOptions {
  prisma: PrismaClient;
  events: { subscribe(fn: (event: ParkingEvent) => void): () => void };
  now: () => number;
  log: Logger;
  /** Attempts before a delivery is given up as failed. */
  maxAttempts?: number;
  /** Wait after the first failure; doubled after each further one, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  batchSize?: number;
  /** Deliver to loopback, private and link-local addresses too (operator's WEBHOOK_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks?: boolean;
}

/**
 * Webhooks (A4): every event is written as one WebhookDelivery per matching webhook, then
 * sent, signed, and retried with exponential backoff. Deliveries live in the database, so a
 * restart resumes the pending ones. `deliverDue()` sends what is due now; `start()` calls it
 * on an interval (tests call it themselves, with their own clock).
 */
export class WebhookSender {
  private readonly writes = new Set<Promise<void>>();
  private readonly off: () => void;
  private chain: Promise<unknown> = Promise.resolve();
  private rounds = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly dispatcher: Agent;
  private readonly queue: ReturnType<typeof deliveryQueue>;

  constructor(private readonly o: WebhookSenderOptions) {
    this.queue = deliveryQueue(o.prisma);
    this.dispatcher = webhookDispatcher(o.allowPrivateNetworks ?? false);
    this.maxAttempts = o.maxAttempts ?? 8;
    this.backoffMs = o.backoffMs ?? 5_000;
    this.maxBackoffMs = o.maxBackoffMs ?? 3_600_000;
    this.off = o.events.subscribe((event) => {
      const write = this.enqueue(event).catch((err) => o.log.error({ err, eventId: event.id }, 'webhook deliveries not recorded'));
      this.writes.add(write);
      void write.finally(() => this.writes.delete(write));
    });
  }

  private async enqueue(event: ParkingEvent): Promise<void> {
    const hooks = await this.queue.subscribers(event.tenantId, event.type);
    if (hooks.length === 0) return;
    const nextAttemptAt = new Date(this.o.now());
    await this.queue.enqueue(hooks.map((h) => ({ webhookId: h.id, eventId: event.id, eventType: event.type, payload: event as object, nextAttemptAt })));
    if (this.timer && this.rounds === 0) void this.deliverDue().catch(() => undefined);
  }

  /** Sends every pending delivery that is due; resolves to how many were attempted. Rounds run one at a time. */
  async deliverDue(): Promise<number> {
    await Promise.all(this.writes);
    this.rounds++;
    const round = this.chain.then(() => this.sendBatch()).finally(() => this.rounds--);
    this.chain = round.catch(() => undefined);
    return round;
  }

  private async sendBatch(): Promise<number> {
    const due = await this.queue.due(new Date(this.o.now()), this.o.batchSize ?? 100);
    await Promise.all(due.map((d) => this.attempt(d)));
    return due.length;
  }

  private async attempt(d: { id: bigint; eventType: string; payload: unknown; attempts: number; webhook: { url: string; secret: string } }): Promise<void> {
    const body = JSON.stringify(d.payload);
    const timestamp = String(Math.floor(this.o.now() / 1000));
    let error: string | null = null;
    try {
      // IP literals are connected to without a lookup: checked here; names at connect time.
      if (!urlAllowed(d.webhook.url, this.o.allowPrivateNetworks ?? false)) throw Object.assign(new Error(BLOCKED), { blocked: true });
      const res = await fetch(d.webhook.url, {
        dispatcher: this.dispatcher,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'call-parking-webhooks/1',
          'x-parking-event': d.eventType,
          'x-parking-delivery': d.id.toString(),
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(d.webhook.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
      await res.body?.cancel();
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      // fetch says "fetch failed"; the cause says why (ECONNREFUSED, a timeout, ...).
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      // A refused address says only that: nothing about whether something listens there.
      if ((err as { blocked?: boolean }).blocked || cause?.code === 'EADDRNOTALLOWED') error = BLOCKED;
      else error = [(err as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
    }
    const attempts = d.attempts + 1;
    const now = this.o.now();
    const data =
      error === null
        ? { attempts, status: 'delivered', lastError: null, nextAttemptAt: null, deliveredAt: new Date(now) }
        : attempts >= this.maxAttempts
          ? { attempts, status: 'failed', lastError: error, nextAttemptAt: null }
          : { attempts, status: 'pending', lastError: error, nextAttemptAt: new Date(now + Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempts - 1))) };
    if (error) this.o.log.warn({ deliveryId: d.id.toString(), url: d.webhook.url, attempts, error }, 'webhook delivery failed');
    await this.queue.recordAttempt(d.id, data);
  }

  /** Checks for due deliveries every `intervalMs` (and at once after each event). */
  start(intervalMs = 1_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.rounds === 0) this.deliverDue().catch((err) => this.o.log.error({ err }, 'webhook delivery round failed'));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the worker and waits for the round in flight; pending deliveries stay for the next start. */
  async stop(): Promise<void> {
    this.off();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled(this.writes);
    await this.chain;
    await this.dispatcher.close();
  }
}
