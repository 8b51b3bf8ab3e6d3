import { Type, type Static } from '@sinclair/typebox';
import { ParkingError } from '../domain/errors';
import { groupsRepo } from '../store/groups-repo';
import type { HttpDeps } from './deps';
import { resourceRoutes } from './crud';
import { assertHuntGroup, assertNoCallAt, existing } from './places';
import { CreateBody, DigitList, Name, Nullable, PatchBody, RecallOption, Seconds, Text, Timestamps, Uuid, pageOf } from './schemas';

const Fields = Type.Object({
  name: Text({ minLength: 1, maxLength: 100 }),
  members: DigitList('extension numbers, in order; an extension is in at most one group'),
  destinations: DigitList('call park extension numbers hunted in order by group park'),
  useMembersAsDestinations: Type.Boolean({ description: "park on the members' own extensions instead of destinations" }),
  recallOption: RecallOption,
  recallTimerSec: Nullable(Seconds(86_400)),
  huntGroupId: Nullable(Uuid),
});

/** A park group (P4): members, ordered destinations, recall settings. */
export const Group = Type.Composite([Type.Object({ id: Uuid }), Fields, Timestamps]);
type Body = Partial<Static<typeof Fields>>;

interface Lists {
  tenantId: string;
  members: Array<{ extension: { number: string } }>;
  destinations: Array<{ slot: { number: string } }>;
}
const toGroup = <T extends Lists>({ members, destinations, tenantId: _t, ...row }: T) => ({
  ...row,
  members: members.map((m) => m.extension.number),
  destinations: destinations.map((d) => d.slot.number),
});

export const groupRoutes = ({ prisma, configs, service }: HttpDeps) => {
  const groups = groupsRepo(prisma);
  /** The write of members and destinations (replacing the lists given), after checking them. */
  async function lists(tenantId: string, groupId: string | null, body: Body) {
    await assertHuntGroup(prisma, tenantId, body.huntGroupId);
    const { members, destinations, ...scalars } = body;
    const data: Record<string, unknown> = { ...scalars };
    // A new group's lists are created; an existing group's are replaced.
    const write = (create: object[]) => (groupId ? { deleteMany: {}, create } : { create });
    if (members) {
      const rows = await existing(prisma, tenantId, 'extension', members, 'members');
      const seated = await groups.seatedElsewhere(rows.map((r) => r.id), groupId);
      if (seated) {
        throw new ParkingError('conflict', `extension ${seated.extension.number} is already in group ${seated.group.name}`, {
          field: 'members',
          extension: seated.extension.number,
          group: seated.group.name,
        });
      }
      data.members = write(rows.map((r, position) => ({ extensionId: r.id, position })));
    }
    if (destinations) {
      const rows = await existing(prisma, tenantId, 'slot', destinations, 'destinations');
      data.destinations = write(rows.map((r, position) => ({ slotId: r.id, position })));
    }
    return data;
  }

  return resourceRoutes(
    {
      path: 'groups',
      noun: 'group',
      tag: 'groups',
      item: Group,
      create: CreateBody(Fields, ['name']),
      patch: PatchBody(Fields),
      filters: Type.Object({ name: Type.Optional(Name), member: Type.Optional(Type.String({ description: 'groups with this extension number' })) }),
      async list(tenantId, f, page) {
        return pageOf(page, groups.count(tenantId, f), async (paging) => (await groups.list(tenantId, f, paging)).map(toGroup));
      },
      get: async (tenantId, id) => {
        const row = await groups.find(tenantId, id);
        return row && toGroup(row);
      },
      async add(tenantId, body) {
        const data = await lists(tenantId, null, body);
        return toGroup(await groups.create(tenantId, data));
      },
      async update(tenantId, current, body) {
        const data = await lists(tenantId, current.id, body);
        return toGroup(await groups.update(current.id, data));
      },
      async remove(tenantId, current) {
        assertNoCallAt(service, tenantId, (c) => c.groupId === current.id, `a destination of group ${current.name}`);
        await groups.remove(current.id);
      },
    },
    configs,
  );
};
