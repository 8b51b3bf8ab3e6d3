import { randomUUID } from 'node:crypto';
import type { EventSink, ParkingEvent } from './ports';

type Subscriber = (event: ParkingEvent) => void;

/** Parking events for apps (A4): the WebSocket stream and webhooks subscribe here. */
export class EventBus implements EventSink {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly now: () => number = Date.now) {}

  publish(event: Omit<ParkingEvent, 'id' | 'at'>): void {
    const full: ParkingEvent = { id: randomUUID(), at: new Date(this.now()).toISOString(), ...event };
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
}
