/**
 * The soak's end check: Asterisk's reality (the fake: who sits in the service's holding
 * bridges, every lamp) against the service's view (GET /parked-calls) and the database
 * (ParkedCall rows and their history). Every difference is a mismatch, described in a line.
 */
import type { PrismaClient } from '../../../generated/prisma/client';
import { ParkOutcome } from '../../../generated/prisma/enums';
import type { FakeAsterisk } from '../../support/fake-asterisk';
import type { SoakTracker } from './soak-tracker';

export interface CheckInput {
  fake: FakeAsterisk;
  tracker: SoakTracker;
  prisma: PrismaClient;
  serviceUrl: string;
  adminKey: string;
  tenantId: string;
  slug: string;
  places: string[];
}

export interface CheckResult {
  /** Live parks: in the holding bridges / the service's list / the database. */
  parked: { asterisk: number; service: number; database: number };
  mismatches: string[];
  /** Mismatch counts by kind (the text before the first ':'). */
  byKind: Record<string, number>;
  /** Database outcome of each ended park against how the call really ended (informational). */
  outcomes: Record<string, Record<string, number>>;
}

const OUTCOMES = Object.values(ParkOutcome);

export async function checkConsistency(c: CheckInput): Promise<CheckResult> {
  const m: string[] = [];
  // Reality: every channel in one of the service's holding bridges.
  const holding = new Set<string>();
  for (const b of c.fake.bridges()) {
    if (b.bridge_type === 'holding' && b.id.startsWith(`parking-${c.slug}-`)) for (const id of b.channels) holding.add(id);
  }
  for (const id of holding) if (!c.tracker.parkees.has(id)) m.push(`untracked channel in a holding bridge: ${id}`);

  const res = await fetch(`${c.serviceUrl}/api/v1/tenants/${c.tenantId}/parked-calls`, { headers: { authorization: `Bearer ${c.adminKey}` } });
  if (res.status !== 200) throw new Error(`GET parked-calls answered ${res.status}: ${await res.text()}`);
  const service = ((await res.json()) as { items: Array<{ id: string; place: string; state: string }> }).items;

  const rows = await c.prisma.parkedCall.findMany({
    where: { tenantId: c.tenantId },
    include: { events: { select: { type: true } } },
  });
  const live = rows.filter((r) => r.state !== 'ENDED');

  // Database against reality.
  const liveByChannel = new Map<string, typeof live>();
  for (const r of live) liveByChannel.set(r.callerChannelId, [...(liveByChannel.get(r.callerChannelId) ?? []), r]);
  for (const id of holding) {
    if (!liveByChannel.has(id)) m.push(`parked but no live row: ${id} (${describe(c, id)})`);
  }
  for (const [id, rs] of liveByChannel) {
    if (rs.length > 1) m.push(`several live rows for one caller: ${id} (${rs.map((r) => r.place).join(', ')})`);
    if (!holding.has(id)) m.push(`live row but not parked: ${rs[0].place} ${rs[0].state} ${id} (${describe(c, id)})`);
  }
  const livePlaces = new Map<string, number>();
  for (const r of live) livePlaces.set(r.place, (livePlaces.get(r.place) ?? 0) + 1);
  for (const [place, n] of livePlaces) if (n > 1) m.push(`several live rows on one place: ${place} (${n})`);

  // The service's view against the database.
  const serviceById = new Map(service.map((s) => [s.id, s]));
  for (const r of live) {
    const s = serviceById.get(r.id);
    if (!s) m.push(`live row the service does not list: ${r.place} ${r.id}`);
    else if (s.place !== r.place) m.push(`place differs service/database: ${s.place} / ${r.place} (${r.id})`);
  }
  const liveIds = new Set(live.map((r) => r.id));
  for (const s of service) if (!liveIds.has(s.id)) m.push(`listed by the service, no live row: ${s.place} ${s.id}`);

  // Lamps: a place's lamp is INUSE exactly when a call is parked there; the lot lamp when any is.
  const parkedPlaces = new Set(live.filter((r) => holding.has(r.callerChannelId)).map((r) => r.place));
  for (const place of c.places) {
    const want = parkedPlaces.has(place) ? 'INUSE' : 'NOT_INUSE';
    const got = c.fake.deviceState(`Stasis:park-${c.slug}-${place}`);
    if (got !== want) m.push(`place lamp wrong: ${place} is ${got}, should be ${want}`);
  }
  const lot = c.fake.deviceState(`Stasis:park-${c.slug}`);
  const lotWant = holding.size > 0 ? 'INUSE' : 'NOT_INUSE';
  if (lot !== lotWant) m.push(`lot lamp wrong: ${lot}, should be ${lotWant}`);

  // History: every park has its row and its 'parked' event; every ended park its outcome.
  const rowsByChannel = new Set(rows.map((r) => r.callerChannelId));
  for (const p of c.tracker.parkees.values()) {
    if (p.everHolding && !rowsByChannel.has(p.id)) m.push(`park without history: ${p.id} on ${p.place} (${p.end ?? 'alive'})`);
  }
  const endTypes = new Set(OUTCOMES.map((o) => o.toLowerCase()));
  for (const r of rows) {
    if (!r.events.some((e) => e.type === 'parked')) m.push(`row without 'parked' event: ${r.place} ${r.id}`);
    const ends = r.events.filter((e) => endTypes.has(e.type)).map((e) => e.type);
    if (r.state === 'ENDED') {
      if (!r.outcome || !r.endedAt) m.push(`ended row without outcome: ${r.place} ${r.id}`);
      else if (ends.length !== 1 || ends[0] !== r.outcome.toLowerCase()) m.push(`ended row whose end events are not its outcome: ${r.place} ${r.outcome} [${ends.join(', ')}] ${r.id}`);
    } else if (r.outcome || ends.length > 0) m.push(`live row with an outcome: ${r.place} ${r.outcome} [${ends.join(', ')}] ${r.id}`);
  }

  // No caller left in silence: alive, neither parked (by the service or Asterisk) nor talking.
  for (const p of c.tracker.parkees.values()) {
    const where = c.tracker.where(p.id);
    if (where === 'limbo' || where === 'bridged-alone') m.push(`caller stranded: ${p.id} ${where} (${describe(c, p.id)})`);
  }

  const outcomes: CheckResult['outcomes'] = {};
  for (const r of rows) {
    if (r.state !== 'ENDED') continue;
    const truth = c.tracker.parkees.get(r.callerChannelId)?.end ?? 'alive/untracked';
    const o = (outcomes[r.outcome ?? 'none'] ??= {});
    o[truth] = (o[truth] ?? 0) + 1;
  }
  const byKind: Record<string, number> = {};
  for (const line of m) {
    const kind = line.split(':')[0];
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return { parked: { asterisk: holding.size, service: service.length, database: live.length }, mismatches: m, byKind, outcomes };
}

function describe(c: CheckInput, id: string): string {
  const ch = c.fake.channel(id);
  if (!ch) return 'gone';
  const p = c.tracker.parkees.get(id);
  const bridge = c.fake.bridgeOf(id);
  const stasis = c.fake.stasisOf(id);
  return [
    p ? `meant for ${p.place}` : 'untracked',
    bridge ? `bridge ${bridge.id}` : 'no bridge',
    stasis ? `in Stasis ${stasis.app}(${stasis.args.join(',')})` : `dialplan ${ch.dialplan.context},${ch.dialplan.exten} ${ch.dialplan.app_name}`,
  ].join(', ');
}
