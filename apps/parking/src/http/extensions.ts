import { Type } from '@sinclair/typebox';
import type { HttpDeps } from './deps';
import { resourceRoutes } from './crud';
import { ParkingError } from '../domain/errors';
import { endpointAllowed } from '../domain/grammar';
import { assertNoCallAt, assertNumberFree, assertRenumberable, atNumber, invalid } from './places';
import { withTenantLock, type Tx } from '../store/tenant-lock';
import { CreateBody, Digits, Endpoint, Name, Nullable, PatchBody, Timestamps, Uuid, pageOf } from './schemas';

const Fields = Type.Object({
  number: Digits,
  name: Name,
  endpoint: Endpoint,
});

/** A tenant uses only the endpoints the system admin gave it (issue 14: endpoint squatting). */
async function assertEndpointUsable(tx: Tx, tenantId: string, endpoint: string | undefined, currentId: string | null): Promise<void> {
  if (endpoint === undefined) return;
  const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { endpointPatterns: true } });
  if (!endpointAllowed(endpoint, tenant.endpointPatterns)) {
    throw invalid('endpoint', 'is not one of the endpoints the system admin allowed this tenant (endpointPatterns)');
  }
  const owner = await tx.extension.findUnique({ where: { endpoint }, select: { id: true, tenantId: true, number: true } });
  if (owner && owner.id !== currentId) {
    // Within the tenant, say which extension has it; about other tenants, say nothing.
    const mine = owner.tenantId === tenantId;
    throw new ParkingError('conflict', mine ? `extension ${owner.number} already uses this endpoint` : 'this endpoint is not available', {
      field: 'endpoint',
      ...(mine ? { extension: owner.number } : {}),
    });
  }
}

/** What still names an extension number: refuse to delete or renumber it under them (409 naming them). */
async function assertUnreferenced(tx: Tx, tenantId: string, number: string): Promise<void> {
  const [huntGroups, slots, tenant] = await Promise.all([
    tx.huntGroup.findMany({ where: { tenantId, extensions: { has: number } }, select: { name: true } }),
    tx.parkSlot.findMany({ where: { tenantId, OR: [{ parkAllow: { has: number } }, { retrieveAllow: { has: number } }] }, select: { number: true } }),
    tx.tenant.findFirst({ where: { id: tenantId, fallbackExtension: number }, select: { id: true } }),
  ]);
  const referencedBy = [
    ...huntGroups.map((g) => ({ kind: 'hunt-group', name: g.name })),
    ...slots.map((s) => ({ kind: 'slot', number: s.number })),
    ...(tenant ? [{ kind: 'tenant', field: 'fallbackExtension' }] : []),
  ];
  if (referencedBy.length > 0) {
    const names = referencedBy.map((r) => ('name' in r ? `hunt group ${r.name}` : 'number' in r ? `slot ${r.number}` : 'the tenant fallbackExtension'));
    throw new ParkingError('conflict', `extension ${number} is still referred to by ${names.join(', ')}`, { referencedBy });
  }
}

/** A user's phone number and the endpoint that rings for it. */
export const Extension = Type.Composite([Type.Object({ id: Uuid }), Fields, Type.Object({ groupId: Nullable(Uuid) }), Timestamps]);

const include = { groupSeat: { select: { groupId: true } } } as const;
const toExtension = <T extends { groupSeat: { groupId: string } | null }>({ groupSeat, ...row }: T) => ({ ...row, groupId: groupSeat?.groupId ?? null });

export const extensionRoutes = ({ prisma, configs, service }: HttpDeps) =>
  resourceRoutes(
    {
      path: 'extensions',
      noun: 'extension',
      tag: 'extensions',
      item: Extension,
      create: CreateBody(Fields, ['number', 'endpoint']),
      patch: PatchBody(Fields),
      filters: Type.Object({
        number: Type.Optional(Digits),
        endpoint: Type.Optional(Type.String()),
        name: Type.Optional(Type.String({ description: 'contains' })),
      }),
      async list(tenantId, f, page) {
        const where = { tenantId, number: f.number, endpoint: f.endpoint, name: f.name ? { contains: f.name, mode: 'insensitive' as const } : undefined };
        return pageOf(page, prisma.extension.count({ where }), async (paging) =>
          (await prisma.extension.findMany({ where, include, orderBy: { number: 'asc' }, ...paging })).map(toExtension),
        );
      },
      get: async (tenantId, id) => {
        const row = await prisma.extension.findFirst({ where: { id, tenantId }, include });
        return row && toExtension(row);
      },
      add: (tenantId, body) =>
        withTenantLock(prisma, tenantId, async (tx) => {
          await assertEndpointUsable(tx, tenantId, body.endpoint, null);
          await assertNumberFree(tx, tenantId, body.number, 'extension');
          return toExtension(await tx.extension.create({ data: { ...body, tenantId }, include }));
        }),
      update: (tenantId, current, body) =>
        withTenantLock(prisma, tenantId, async (tx) => {
          if (body.endpoint !== current.endpoint) await assertEndpointUsable(tx, tenantId, body.endpoint, current.id);
          if (body.number !== undefined && body.number !== current.number) await assertUnreferenced(tx, tenantId, current.number);
          await assertRenumberable({ prisma: tx, service }, tenantId, current.number, body.number, 'extension');
          return toExtension(await tx.extension.update({ where: { id: current.id }, data: body, include }));
        }),
      remove: (tenantId, current) =>
        withTenantLock(prisma, tenantId, async (tx) => {
          assertNoCallAt(service, tenantId, atNumber(current.number), `extension ${current.number}`);
          await assertUnreferenced(tx, tenantId, current.number);
          await tx.extension.delete({ where: { id: current.id } });
        }),
    },
    configs,
  );
