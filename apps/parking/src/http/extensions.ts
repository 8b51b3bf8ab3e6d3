import { Type } from '@sinclair/typebox';
import type { HttpDeps } from './app';
import { resourceRoutes } from './crud';
import { assertNoCallAt, assertNumberFree, assertRenumberable, atNumber } from './places';
import { CreateBody, Digits, Name, Nullable, PatchBody, Timestamps, Uuid, pageOf } from './schemas';

const Fields = Type.Object({
  number: Digits,
  name: Name,
  endpoint: Type.String({ pattern: '^[A-Za-z0-9_]+/[^\\s]+$', maxLength: 200, description: 'Asterisk endpoint, e.g. PJSIP/101' }),
});

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
      async add(tenantId, body) {
        await assertNumberFree(prisma, tenantId, body.number, 'extension');
        return toExtension(await prisma.extension.create({ data: { ...body, tenantId }, include }));
      },
      async update(tenantId, current, body) {
        await assertRenumberable({ prisma, service }, tenantId, current.number, body.number, 'extension');
        return toExtension(await prisma.extension.update({ where: { id: current.id }, data: body, include }));
      },
      async remove(tenantId, current) {
        assertNoCallAt(service, tenantId, atNumber(current.number), `extension ${current.number}`);
        await prisma.extension.delete({ where: { id: current.id } });
      },
    },
    configs,
  );
