import { randomUUID } from 'node:crypto';
import type { EventSink, ParkingEvent } from './ports';

type Subscriber = (event: ParkingEvent) => void;

/** Where a tenant's stream stands: `seq` of its last event, in the bus's `epoch`. */
export interface StreamPosition {
  epoch: string;
  seq: number;
}

/** Events kept per tenant for clients resuming with ?since= (older ones need a new snapshot). */
export const DEFAULT_REPLAY_LIMIT = 1000;

/**
 * Parking events for apps (A4): the WebSocket stream and webhooks subscribe here. Every event
 * gets the next number of its tenant's sequence, and the last `replayLimit` are kept so a client
 * that lost its connection can resume without missing or doubling one. The sequence restarts with
 * the process: `epoch` (new at every start) tells a resuming client its numbers are from another run.
 */
export class EventBus implements EventSink {
  private readonly subscribers = new Set<Subscriber>();
  private readonly tenants = new Map<string, { seq: number; recent: ParkingEvent[] }>();
  readonly epoch = randomUUID();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly replayLimit = DEFAULT_REPLAY_LIMIT,
  ) {}

  publish(event: Omit<ParkingEvent, 'id' | 'at' | 'seq'>): void {
    const stream = this.stream(event.tenantId);
    const full: ParkingEvent = { id: randomUUID(), at: new Date(this.now()).toISOString(), seq: ++stream.seq, ...event };
    stream.recent.push(full);
    // Trimmed in batches: a shift per event would copy the whole buffer each time.
    if (stream.recent.length > this.replayLimit * 1.25) stream.recent.splice(0, stream.recent.length - this.replayLimit);
    for (const subscriber of this.subscribers) {
      try {
        subscriber(full);
      } catch {
        // one failing subscriber must not keep the others from the event
      }
    }
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  position(tenantId: string): StreamPosition {
    return { epoch: this.epoch, seq: this.tenants.get(tenantId)?.seq ?? 0 };
  }

  /**
   * The tenant's events after `seq`, oldest first; null when they cannot all be given (older
   * than the buffer, or numbers from another epoch or beyond the last event): re-snapshot.
   */
  since(tenantId: string, seq: number, epoch: string = this.epoch): ParkingEvent[] | null {
    const stream = this.stream(tenantId);
    if (epoch !== this.epoch || seq > stream.seq || seq < 0) return null;
    const missed = stream.seq - seq;
    if (missed > this.replayLimit || missed > stream.recent.length) return null;
    return stream.recent.slice(stream.recent.length - missed);
  }

  private stream(tenantId: string) {
    let stream = this.tenants.get(tenantId);
    if (!stream) this.tenants.set(tenantId, (stream = { seq: 0, recent: [] }));
    return stream;
  }
}
