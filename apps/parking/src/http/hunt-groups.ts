import { Type } from '@sinclair/typebox';
import type { HttpDeps } from './deps';
import { resourceRoutes } from './crud';
import { existing, invalid } from './places';
import { CreateBody, Destination, DigitList, Name, Nullable, PatchBody, Seconds, Text, Timestamps, Uuid, pageOf } from './schemas';
import { destinationAllowed } from '../domain/grammar';
import type { PrismaClient } from '../../../../generated/prisma/client';
import { huntGroupsRepo } from '../store/hunt-groups-repo';
import { tenantsRepo } from '../store/tenants-repo';

/** A dialplan destination stays inside the contexts the system admin allowed the tenant (issue 14). */
async function assertDestinationAllowed(prisma: PrismaClient, tenantId: string, destination: string | null | undefined): Promise<void> {
  if (!destination) return;
  if (!destinationAllowed(destination, await tenantsRepo(prisma).dialplanContexts(tenantId))) {
    throw invalid('destination', 'must point into a context the system admin allowed this tenant (dialplanContexts)');
  }
}

const Fields = Type.Object({
  name: Text({ minLength: 1, maxLength: 100 }),
  extensions: DigitList('extension numbers rung together'),
  destination: Nullable(Destination),
  ringSec: Seconds(600),
});

/** Extensions rung together, or a dialplan destination, for recalls (C2). */
export const HuntGroup = Type.Composite([Type.Object({ id: Uuid }), Fields, Timestamps]);

/** Exactly one of: extensions to ring, or a dialplan destination. */
function assertOneTarget(extensions: string[], destination: string | null): void {
  if ((extensions.length > 0) === (destination !== null)) {
    throw invalid('extensions', 'or destination: give exactly one (extensions to ring together, or a dialplan destination)');
  }
}

export const huntGroupRoutes = ({ prisma, configs }: HttpDeps) => {
  const huntGroups = huntGroupsRepo(prisma);
  return resourceRoutes(
    {
      path: 'hunt-groups',
      noun: 'hunt group',
      tag: 'hunt groups',
      item: HuntGroup,
      create: CreateBody(Fields, ['name']),
      patch: PatchBody(Fields),
      filters: Type.Object({ name: Type.Optional(Name) }),
      async list(tenantId, f, page) {
        return pageOf(page, huntGroups.count(tenantId, f.name), (paging) => huntGroups.list(tenantId, f.name, paging));
      },
      get: (tenantId, id) => huntGroups.find(tenantId, id),
      async add(tenantId, body) {
        const extensions = body.extensions ?? [];
        assertOneTarget(extensions, body.destination ?? null);
        await assertDestinationAllowed(prisma, tenantId, body.destination);
        await existing(prisma, tenantId, 'extension', extensions, 'extensions');
        return huntGroups.create(tenantId, body);
      },
      async update(tenantId, current, body) {
        const extensions = body.extensions ?? current.extensions;
        assertOneTarget(extensions, body.destination === undefined ? current.destination : body.destination);
        await assertDestinationAllowed(prisma, tenantId, body.destination);
        await existing(prisma, tenantId, 'extension', extensions, 'extensions');
        return huntGroups.update(current.id, body);
      },
      async remove(_tenantId, current) {
        await huntGroups.remove(current.id);
      },
    },
    configs,
  );
};
