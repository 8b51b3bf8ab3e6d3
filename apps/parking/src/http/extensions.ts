import { Type } from '@sinclair/typebox';
import type { HttpDeps } from './deps';
import { resourceRoutes } from './crud';
import { ParkingError } from '../domain/errors';
import { endpointAllowed } from '../domain/grammar';
import { assertNoCallAt, assertNumberFree, assertRenumberable, atNumber, invalid } from './places';
import { extensionsRepo } from '../store/extensions-repo';
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
  const extensions = extensionsRepo(tx);
  if (!endpointAllowed(endpoint, await extensions.endpointPatterns(tenantId))) {
    throw invalid('endpoint', 'is not one of the endpoints the system admin allowed this tenant (endpointPatterns)');
  }
  const owner = await extensions.ownerOfEndpoint(endpoint);
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
  const { huntGroups, slots, isTenantFallback } = await extensionsRepo(tx).references(tenantId, number);
  const referencedBy = [
    ...huntGroups.map((g) => ({ kind: 'hunt-group', name: g.name })),
    ...slots.map((s) => ({ kind: 'slot', number: s.number })),
    ...(isTenantFallback ? [{ kind: 'tenant', field: 'fallbackExtension' }] : []),
  ];
  if (referencedBy.length > 0) {
    const names = referencedBy.map((r) => ('name' in r ? `hunt group ${r.name}` : 'number' in r ? `slot ${r.number}` : 'the tenant fallbackExtension'));
    throw new ParkingError('conflict', `extension ${number} is still referred to by ${names.join(', ')}`, { referencedBy });
  }
}

/** A user's phone number and the endpoint that rings for it. */
export const Extension = Type.Composite([Type.Object({ id: Uuid }), Fields, Type.Object({ groupId: Nullable(Uuid) }), Timestamps]);

const toExtension = <T extends { groupSeat: { groupId: string } | null }>({ groupSeat, ...row }: T) => ({ ...row, groupId: groupSeat?.groupId ?? null });

export const extensionRoutes = ({ prisma, configs, service }: HttpDeps) => {
  const extensions = extensionsRepo(prisma);
  return resourceRoutes(
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
        return pageOf(page, extensions.count(tenantId, f), async (paging) => (await extensions.list(tenantId, f, paging)).map(toExtension));
      },
      get: async (tenantId, id) => {
        const row = await extensions.find(tenantId, id);
        return row && toExtension(row);
      },
      add: (tenantId, body) =>
        withTenantLock(prisma, tenantId, async (tx) => {
          await assertEndpointUsable(tx, tenantId, body.endpoint, null);
          await assertNumberFree(tx, tenantId, body.number, 'extension');
          return toExtension(await extensionsRepo(tx).create(tenantId, body));
        }),
      update: (tenantId, current, body) =>
        withTenantLock(prisma, tenantId, async (tx) => {
          if (body.endpoint !== current.endpoint) await assertEndpointUsable(tx, tenantId, body.endpoint, current.id);
          if (body.number !== undefined && body.number !== current.number) await assertUnreferenced(tx, tenantId, current.number);
          await assertRenumberable({ prisma: tx, service }, tenantId, current.number, body.number, 'extension');
          return toExtension(await extensionsRepo(tx).update(current.id, body));
        }),
      remove: (tenantId, current) =>
        withTenantLock(prisma, tenantId, async (tx) => {
          assertNoCallAt(service, tenantId, atNumber(current.number), `extension ${current.number}`);
          await assertUnreferenced(tx, tenantId, current.number);
          await extensionsRepo(tx).remove(current.id);
        }),
    },
    configs,
  );
};
