import { Type } from '@sinclair/typebox';
import type { HttpDeps } from './deps';
import { resourceRoutes } from './crud';
import { existing, invalid } from './places';
import { CreateBody, Destination, DigitList, Name, Nullable, PatchBody, Seconds, Text, Timestamps, Uuid, pageOf } from './schemas';
import { destinationAllowed } from '../domain/grammar';
import type { PrismaClient } from '../../../../generated/prisma/client';

/** A dialplan destination stays inside the contexts the system admin allowed the tenant (issue 14). */
async function assertDestinationAllowed(prisma: PrismaClient, tenantId: string, destination: string | null | undefined): Promise<void> {
  if (!destination) return;
  const { dialplanContexts } = await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { dialplanContexts: true } });
  if (!destinationAllowed(destination, dialplanContexts)) {
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

export const huntGroupRoutes = ({ prisma, configs }: HttpDeps) =>
  resourceRoutes(
    {
      path: 'hunt-groups',
      noun: 'hunt group',
      tag: 'hunt groups',
      item: HuntGroup,
      create: CreateBody(Fields, ['name']),
      patch: PatchBody(Fields),
      filters: Type.Object({ name: Type.Optional(Name) }),
      async list(tenantId, f, page) {
        const where = { tenantId, name: f.name };
        return pageOf(page, prisma.huntGroup.count({ where }), (paging) => prisma.huntGroup.findMany({ where, orderBy: { name: 'asc' }, ...paging }));
      },
      get: (tenantId, id) => prisma.huntGroup.findFirst({ where: { id, tenantId } }),
      async add(tenantId, body) {
        const extensions = body.extensions ?? [];
        assertOneTarget(extensions, body.destination ?? null);
        await assertDestinationAllowed(prisma, tenantId, body.destination);
        await existing(prisma, tenantId, 'extension', extensions, 'extensions');
        return prisma.huntGroup.create({ data: { ...body, tenantId } });
      },
      async update(tenantId, current, body) {
        const extensions = body.extensions ?? current.extensions;
        assertOneTarget(extensions, body.destination === undefined ? current.destination : body.destination);
        await assertDestinationAllowed(prisma, tenantId, body.destination);
        await existing(prisma, tenantId, 'extension', extensions, 'extensions');
        return prisma.huntGroup.update({ where: { id: current.id }, data: body });
      },
      async remove(_tenantId, current) {
        // Groups and the tenant that recall to it fall back to no hunt group (ON DELETE SET NULL).
        await prisma.huntGroup.delete({ where: { id: current.id } });
      },
    },
    configs,
  );
