import type { PrismaClient } from '../../../../generated/prisma/client';
import type { TenantConfig } from '../domain/tenant';
import type { ConfigSource } from '../ports';

const include = {
  extensions: { include: { groupSeat: true } },
  slots: true,
  groups: { include: { members: { include: { extension: true } }, destinations: { include: { slot: true } } } },
  huntGroups: true,
} as const;

/**
 * Tenant configuration for the call flows, one query per tenant, cached. Admin writes in
 * this process invalidate at once; the TTL bounds staleness for writes made elsewhere
 * (another instance, SQL by hand).
 */
export class PrismaConfigSource implements ConfigSource {
  private readonly bySlug = new Map<string, { config: Promise<TenantConfig | null>; at: number }>();
  private readonly idToSlug = new Map<string, string>();
  /** Endpoint -> owner, from loaded tenants (kept through a database outage) and from lookups. */
  private readonly endpoints = new Map<string, { tenantSlug: string; extension: string } | null>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  tenantBySlug(slug: string): Promise<TenantConfig | null> {
    const cached = this.bySlug.get(slug);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.config;
    const fresh = this.load({ slug });
    if (!cached) {
      const entry = { config: fresh, at: this.now() };
      this.bySlug.set(slug, entry);
      fresh.catch(() => this.bySlug.get(slug) === entry && this.bySlug.delete(slug)); // retried on the next call
      return fresh;
    }
    // Expired (not invalidated): calls go on with the last configuration while it reloads, so
    // no call waits for the reload, nor for a database that is down (O5).
    const entry = { config: cached.config, at: this.now() };
    this.bySlug.set(slug, entry);
    fresh.then(
      () => void (entry.config = fresh),
      () => void (entry.at = 0), // retried on the next call
    );
    return cached.config;
  }

  async tenantById(id: string): Promise<TenantConfig | null> {
    const slug = this.idToSlug.get(id) ?? (await this.prisma.tenant.findUnique({ where: { id }, select: { slug: true } }))?.slug;
    return slug ? this.tenantBySlug(slug) : null;
  }

  async allTenants(): Promise<TenantConfig[]> {
    const tenants = await this.prisma.tenant.findMany({ select: { slug: true } });
    const configs = await Promise.all(tenants.map((t) => this.tenantBySlug(t.slug)));
    return configs.filter((c): c is TenantConfig => c !== null);
  }

  async endpointOwner(endpoint: string): Promise<{ config: TenantConfig; extension: string } | null> {
    let owner = this.endpoints.get(endpoint);
    if (owner === undefined) {
      const ext = await this.prisma.extension.findUnique({ where: { endpoint }, select: { number: true, tenant: { select: { slug: true } } } });
      owner = ext ? { tenantSlug: ext.tenant.slug, extension: ext.number } : null;
      this.endpoints.set(endpoint, owner);
    }
    if (!owner) return null;
    const config = await this.tenantBySlug(owner.tenantSlug);
    return config ? { config, extension: owner.extension } : null;
  }

  invalidate(tenantId?: string): void {
    // Unknown endpoints are looked up again; known ones are replaced when their tenant reloads.
    for (const [endpoint, owner] of this.endpoints) if (owner === null) this.endpoints.delete(endpoint);
    if (tenantId === undefined) return this.bySlug.clear();
    const slug = this.idToSlug.get(tenantId);
    if (slug) this.bySlug.delete(slug);
  }

  private async load(where: { slug: string }): Promise<TenantConfig | null> {
    const row = await this.prisma.tenant.findUnique({ where, include });
    if (!row) return null;
    this.idToSlug.set(row.id, row.slug);
    for (const [endpoint, owner] of this.endpoints) if (owner?.tenantSlug === row.slug) this.endpoints.delete(endpoint);
    for (const e of row.extensions) this.endpoints.set(e.endpoint, { tenantSlug: row.slug, extension: e.number });
    const { extensions, slots, groups, huntGroups, createdAt: _c, updatedAt: _u, ...settings } = row;
    const sortedSlots = [...slots].sort((a, b) => compareNumbers(a.number, b.number));
    return {
      settings,
      extensions: new Map(
        extensions.map((e) => [e.number, { id: e.id, number: e.number, name: e.name, endpoint: e.endpoint, groupId: e.groupSeat?.groupId ?? null }]),
      ),
      slots: new Map(
        sortedSlots.map((s) => [
          s.number,
          {
            id: s.id,
            number: s.number,
            name: s.name,
            musicClass: s.musicClass,
            recallTimerSec: s.recallTimerSec,
            parkAllow: s.parkAllow,
            retrieveAllow: s.retrieveAllow,
            pinHash: s.pinHash,
          },
        ]),
      ),
      slotOrder: sortedSlots.map((s) => s.number),
      groups: new Map(
        groups.map((g) => [
          g.id,
          {
            id: g.id,
            name: g.name,
            useMembersAsDestinations: g.useMembersAsDestinations,
            recallOption: g.recallOption,
            recallTimerSec: g.recallTimerSec,
            huntGroupId: g.huntGroupId,
            members: [...g.members].sort((a, b) => a.position - b.position).map((m) => m.extension.number),
            destinations: [...g.destinations].sort((a, b) => a.position - b.position).map((d) => d.slot.number),
          },
        ]),
      ),
      huntGroups: new Map(
        huntGroups.map((h) => [h.id, { id: h.id, name: h.name, extensions: h.extensions, destination: h.destination, ringSec: h.ringSec }]),
      ),
    };
  }
}

/** Numeric order for digit strings ("7002" < "7010"), lexical otherwise. */
function compareNumbers(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}
