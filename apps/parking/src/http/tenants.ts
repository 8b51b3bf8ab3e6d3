import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { tenantsRepo } from '../store/tenants-repo';
import type { HttpDeps } from './deps';
import { notFound, requireAdmin } from './auth';
import { destinationAllowed, patterns } from '../domain/grammar';
import { assertHuntGroup, assertNoCallAt, invalid } from './places';
import {
  CreateBody,
  Destination,
  Digits,
  FeatureCode,
  ListQuery,
  MusicClass,
  NoContent,
  Nullable,
  Page,
  PatchBody,
  RecallOption,
  Seconds,
  StringEnum,
  TenantParams,
  Text,
  Timestamps,
  Uuid,
  errors,
  pageOf,
} from './schemas';

const Fields = Type.Object({
  slug: Type.String({
    pattern: patterns.slug,
    description: 'short name used in dialplan contexts and device names: a-z 0-9 segments joined by -, each after the first starting with a letter (system-wide keys only)',
  }),
  name: Text({ minLength: 1, maxLength: 100 }),
  parkPrefix: FeatureCode,
  retrievePrefix: FeatureCode,
  groupParkCodes: Type.Array(FeatureCode, { uniqueItems: true, maxItems: 10 }),
  parkMode: StringEnum(['NEXT_SLOT', 'RANDOM_CODE'] as const, 'park prefix alone: next free slot, or a random code'),
  randomCodeDigits: Type.Integer({ minimum: 2, maximum: 8 }),
  occupiedSlotPolicy: StringEnum(['REJECT', 'NEXT_FREE'] as const, 'parking on a taken slot: refuse, or the next free slot'),
  recallTimerSec: Seconds(86_400),
  recallOption: RecallOption,
  recallRetrySec: Seconds(3_600),
  recallRingSec: Seconds(600),
  huntGroupWaitSec: Seconds(3_600),
  huntGroupId: Nullable(Uuid),
  recallAlertInfo: Nullable(Text({ minLength: 1, maxLength: 200, description: 'Alert-Info of ring-backs; null rings normally' })),
  maxParkTimeSec: Seconds(86_400),
  finalDestination: Nullable(Destination),
  fallbackExtension: Nullable(Digits),
  musicClass: MusicClass,
  slotLimit: Type.Integer({ minimum: 0, maximum: 100_000, description: 'call park extensions allowed (system-wide keys only)' }),
  endpointPatterns: Type.Array(Type.String({ pattern: patterns.endpointPattern }), {
    uniqueItems: true,
    maxItems: 1000,
    description: "endpoints this tenant's extensions may use, e.g. PJSIP/acme-* (* = any resource characters); system-wide keys only",
  }),
  dialplanContexts: Type.Array(Type.String({ pattern: patterns.context }), {
    uniqueItems: true,
    maxItems: 100,
    description: 'dialplan contexts finalDestination and hunt-group destinations may point into; system-wide keys only',
  }),
});
/** Fields only the operator (a system-wide key) may set: they reach beyond the tenant. */
const ADMIN_ONLY = ['slug', 'slotLimit', 'endpointPatterns', 'dialplanContexts'] as const;

/** A tenant (location) and its parking settings. */
export const Tenant = Type.Composite([Type.Object({ id: Uuid }), Fields, Timestamps]);
const TenantCreate = CreateBody(Type.Omit(Fields, ['huntGroupId']), ['slug', 'name']);
const TenantPatch = PatchBody(Fields);
type Settings = Partial<Static<typeof Fields>>;

/** Feature codes of a tenant must all differ. */
function assertDistinctCodes(s: Settings): void {
  if (s.parkPrefix === s.retrievePrefix) throw invalid('retrievePrefix', 'must differ from parkPrefix');
  const clash = s.groupParkCodes?.find((code) => code === s.parkPrefix || code === s.retrievePrefix);
  if (clash) throw invalid('groupParkCodes', `must differ from the park and retrieve prefixes (${clash})`);
}

/** Cross-field rules: a park ends after its first recall, and destinations stay in the allowed contexts. */
function assertCoherent(s: Settings & { recallTimerSec: number; maxParkTimeSec: number; dialplanContexts: string[] }): void {
  if (s.maxParkTimeSec <= s.recallTimerSec) {
    throw invalid('maxParkTimeSec', `must be greater than recallTimerSec (${s.recallTimerSec}): a parked call must be recalled before it times out`);
  }
  if (s.finalDestination && !destinationAllowed(s.finalDestination, s.dialplanContexts)) {
    throw invalid('finalDestination', 'must point into a context the system admin allowed this tenant (dialplanContexts)');
  }
}

const defaults = { parkPrefix: '*70', retrievePrefix: '*71', groupParkCodes: ['*58', '#58'], recallTimerSec: 120, maxParkTimeSec: 900, dialplanContexts: [] as string[] };
const tags = ['tenants'];

/** GET/POST /tenants: the tenants a key sees (a tenant key: its own), and creation (system-wide keys). */
export const tenantRoutes =
  ({ prisma, configs }: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    const tenants = tenantsRepo(prisma);
    const Query = ListQuery(Type.Object({ slug: Type.Optional(Type.String()), name: Type.Optional(Type.String({ description: 'contains' })) }));
    app.get<{ Querystring: Static<typeof Query> }>(
      '/tenants',
      { schema: { tags, summary: 'List tenants', querystring: Query, response: { 200: Page(Tenant) } } },
      async (request) => {
        const { slug, name } = request.query;
        const filter = { id: request.principal.tenantId ?? undefined, slug, name };
        return pageOf(request.query, tenants.count(filter), (paging) => tenants.list(filter, paging));
      },
    );
    app.post<{ Body: Static<typeof TenantCreate> }>(
      '/tenants',
      { schema: { tags, summary: 'Create a tenant (system-wide keys)', body: TenantCreate, response: { 201: Tenant, ...errors(403, 409) } } },
      async (request, reply) => {
        requireAdmin(request);
        assertDistinctCodes({ ...defaults, ...request.body });
        assertCoherent({ ...defaults, ...request.body });
        const created = await tenants.create(request.body);
        configs.invalidate(created.id);
        return reply.status(201).send(created);
      },
    );
  };

/** GET/PATCH/DELETE /tenants/{tenantId} (registered inside the tenant scope). */
export const tenantItemRoutes =
  ({ prisma, configs, service, sessions }: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    const tenants = tenantsRepo(prisma);
    const load = async (id: string) => (await tenants.find(id)) ?? Promise.reject(notFound('tenant', id));
    app.get<{ Params: Static<typeof TenantParams> }>(
      '',
      { schema: { tags, summary: 'Read a tenant and its settings', params: TenantParams, response: { 200: Tenant, ...errors(404) } } },
      async (request) => load(request.params.tenantId),
    );
    app.patch<{ Params: Static<typeof TenantParams>; Body: Static<typeof TenantPatch> }>(
      '',
      { schema: { tags, summary: "Update a tenant's settings", params: TenantParams, body: TenantPatch, response: { 200: Tenant, ...errors(403, 404, 409) } } },
      async (request) => {
        const { tenantId } = request.params;
        // The slug names the tenant's dialplan context; limits, endpoints and contexts are the operator's.
        if (ADMIN_ONLY.some((field) => request.body[field] !== undefined)) requireAdmin(request);
        const current = await load(tenantId);
        // Holding bridges and lamps of parked calls are named after the slug.
        if (request.body.slug !== undefined && request.body.slug !== current.slug) assertNoCallAt(service, tenantId, () => true, 'this tenant');
        assertDistinctCodes({ ...current, ...request.body });
        assertCoherent({ ...current, ...request.body });
        await assertHuntGroup(prisma, tenantId, request.body.huntGroupId);
        const updated = await tenants.update(tenantId, request.body);
        configs.invalidate(tenantId);
        return updated;
      },
    );
    app.delete<{ Params: Static<typeof TenantParams> }>(
      '',
      {
        schema: { tags, summary: 'Delete a tenant and all its configuration (system-wide keys)', params: TenantParams, response: { 204: NoContent, ...errors(403, 404, 409) } },
      },
      async (request, reply) => {
        requireAdmin(request);
        const { tenantId } = request.params;
        assertNoCallAt(service, tenantId, () => true, 'this tenant');
        await tenants.remove(tenantId);
        sessions?.closeTenant(tenantId);
        configs.invalidate(tenantId);
        return reply.status(204).send();
      },
    );
  };
