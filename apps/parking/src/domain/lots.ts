import type { ParkedCall } from './parked-call';

/**
 * Every live parked call and every reserved place, in memory. All changes are synchronous,
 * so the event loop serialises competing parkers and retrievers (exactly once, R7).
 */
export class ParkingLots {
  private readonly byId = new Map<string, ParkedCall>();
  private readonly byChannelId = new Map<string, ParkedCall>();
  /** tenantId -> placeKey -> call id, or a reservation token for a park in progress. */
  private readonly places = new Map<string, Map<string, string>>();

  private tenantPlaces(tenantId: string): Map<string, string> {
    let places = this.places.get(tenantId);
    if (!places) this.places.set(tenantId, (places = new Map()));
    return places;
  }

  isTaken(tenantId: string, placeKey: string): boolean {
    return this.tenantPlaces(tenantId).has(placeKey);
  }

  /** Holds a place for a park in progress (announcement, transfer). False when taken. */
  reserve(tenantId: string, placeKey: string, token: string): boolean {
    const places = this.tenantPlaces(tenantId);
    if (places.has(placeKey)) return false;
    places.set(placeKey, token);
    return true;
  }

  releaseReservation(tenantId: string, placeKey: string, token: string): void {
    const places = this.tenantPlaces(tenantId);
    if (places.get(placeKey) === token) places.delete(placeKey);
  }

  /** Adds a parked call; its place must be free or reserved with `token`. */
  add(call: ParkedCall, token?: string): boolean {
    const places = this.tenantPlaces(call.tenantId);
    const holder = places.get(call.placeKey);
    if (holder !== undefined && holder !== token) return false;
    places.set(call.placeKey, call.id);
    this.byId.set(call.id, call);
    this.byChannelId.set(call.callerChannelId, call);
    return true;
  }

  remove(call: ParkedCall): void {
    this.byId.delete(call.id);
    this.byChannelId.delete(call.callerChannelId);
    const places = this.tenantPlaces(call.tenantId);
    if (places.get(call.placeKey) === call.id) places.delete(call.placeKey);
  }

  get(id: string): ParkedCall | undefined {
    return this.byId.get(id);
  }

  byChannel(channelId: string): ParkedCall | undefined {
    return this.byChannelId.get(channelId);
  }

  atPlace(tenantId: string, placeKey: string): ParkedCall | undefined {
    const id = this.tenantPlaces(tenantId).get(placeKey);
    return id === undefined ? undefined : this.byId.get(id);
  }

  all(tenantId?: string): ParkedCall[] {
    const calls = [...this.byId.values()];
    return tenantId === undefined ? calls : calls.filter((c) => c.tenantId === tenantId);
  }

  /** Whether another live call of the tenant matches, without copying the lot (hot path). */
  anyOther(call: ParkedCall, match: (other: ParkedCall) => boolean = () => true): boolean {
    for (const other of this.byId.values()) {
      if (other !== call && other.tenantId === call.tenantId && match(other)) return true;
    }
    return false;
  }

  count(tenantId: string): number {
    let n = 0;
    for (const call of this.byId.values()) if (call.tenantId === tenantId) n++;
    return n;
  }

  /** The longest-waiting takeable call among the given places. */
  oldestAt(tenantId: string, placeKeys: Iterable<string>): ParkedCall | undefined {
    let oldest: ParkedCall | undefined;
    for (const key of placeKeys) {
      const call = this.atPlace(tenantId, key);
      if (call && (call.state === 'PARKED' || call.state === 'RECALLING')) {
        if (!oldest || call.parkedAt < oldest.parkedAt) oldest = call;
      }
    }
    return oldest;
  }
}
