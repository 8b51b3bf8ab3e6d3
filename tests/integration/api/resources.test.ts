import { verifyPin } from '../../../apps/parking/src/store/pin-hash';
import { parkedCall, startApi, type ApiHarness } from './api-harness';

const fieldsOf = (res: { json(): { error: { details: { fields?: Array<{ field: string }> } } } }) => res.json().error.details.fields?.map((f) => f.field);

describe('[A1] extensions, call park extensions, groups and hunt groups', () => {
  let h: ApiHarness;
  let t: { id: string; key: string };
  let base: string;
  const post = (path: string, body: unknown) => h.call('POST', `${base}/${path}`, { key: t.key, body });
  const get = (path: string) => h.call('GET', `${base}/${path}`, { key: t.key });

  beforeAll(async () => {
    h = await startApi();
    t = await h.tenant('acme', { slotLimit: 6 });
    base = `/api/v1/tenants/${t.id}`;
    for (const n of ['101', '102', '103', '201']) expect((await post('extensions', { number: n, name: `Phone ${n}`, endpoint: `PJSIP/${n}` })).statusCode).toBe(201);
  });
  afterAll(() => h.close());

  describe('[A1] extensions', () => {
    it('[A1] creates, reads, lists, updates and deletes an extension', async () => {
      const created = await post('extensions', { number: '333', endpoint: 'PJSIP/333' });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ number: '333', name: '', endpoint: 'PJSIP/333', groupId: null });
      const id = created.json().id;
      expect((await get(`extensions/${id}`)).json().endpoint).toBe('PJSIP/333');
      const patched = await h.call('PATCH', `${base}/extensions/${id}`, { key: t.key, body: { name: 'Dr. Smith', endpoint: 'PJSIP/smith' } });
      expect(patched.json()).toMatchObject({ name: 'Dr. Smith', endpoint: 'PJSIP/smith' });
      // The running service finds the new endpoint at once.
      expect((await h.configs.endpointOwner('PJSIP/smith'))?.extension).toBe('333');
      expect((await h.call('DELETE', `${base}/extensions/${id}`, { key: t.key })).statusCode).toBe(204);
      expect((await get(`extensions/${id}`)).statusCode).toBe(404);
    });

    it('[A1] filters and pages extensions with the total', async () => {
      const page = (await get('extensions?limit=2&offset=1')).json();
      expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
      expect(page.items.map((e: { number: string }) => e.number)).toEqual(['102', '103']);
      expect((await get('extensions?number=201')).json()).toMatchObject({ total: 1, items: [{ number: '201' }] });
      expect((await get('extensions?name=phone%2010')).json().total).toBe(3);
    });

    it('[A1] refuses duplicates and bad values with the field named', async () => {
      const dup = await post('extensions', { number: '101', endpoint: 'PJSIP/other' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error).toMatchObject({ id: 'conflict', message: 'duplicate extension number', details: { field: 'number' } });
      const endpoint = await post('extensions', { number: '999', endpoint: 'PJSIP/101' });
      expect(endpoint.statusCode).toBe(409);
      expect(endpoint.json().error.details.field).toBe('endpoint');
      const bad = await post('extensions', { number: '1a', endpoint: 'no endpoint' });
      expect(bad.statusCode).toBe(400);
      expect(fieldsOf(bad)).toEqual(['number', 'endpoint']);
      const missing = await post('extensions', { name: 'x' });
      expect(fieldsOf(missing)).toEqual(expect.arrayContaining(['number', 'endpoint']));
    });
  });

  describe('[A1] call park extensions', () => {
    let slotId: string;
    it('[A1][R6] stores the PIN hashed and never returns it', async () => {
      const res = await post('slots', { number: '7001', name: 'Front desk', parkAllow: ['101'], retrieveAllow: ['101', '102'], pin: '4321', recallTimerSec: 60, musicClass: 'jazz' });
      expect(res.statusCode).toBe(201);
      slotId = res.json().id;
      expect(res.json()).toMatchObject({ number: '7001', hasPin: true, parkAllow: ['101'], retrieveAllow: ['101', '102'], recallTimerSec: 60, musicClass: 'jazz' });
      expect(res.json()).not.toHaveProperty('pin');
      expect(res.json()).not.toHaveProperty('pinHash');
      expect(res.body).not.toContain('4321');
      const row = await h.db.prisma.parkSlot.findUniqueOrThrow({ where: { id: slotId } });
      expect(await verifyPin(row.pinHash!, '4321')).toBe(true);
      // The call flows see the slot at once.
      expect((await h.configs.tenantById(t.id))!.slots.get('7001')?.parkAllow).toEqual(['101']);

      const cleared = await h.call('PATCH', `${base}/slots/${slotId}`, { key: t.key, body: { pin: null, recallTimerSec: null } });
      expect(cleared.json()).toMatchObject({ hasPin: false, recallTimerSec: null });
    });

    it('[A1] a duplicate slot number is a conflict; a slot number must not be an extension number', async () => {
      const dup = await post('slots', { number: '7001' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error).toMatchObject({ id: 'conflict', message: 'duplicate slot number', details: { field: 'number' } });
      const clash = await post('slots', { number: '101' });
      expect(clash.statusCode).toBe(409);
      expect(clash.json().error.message).toContain('101 is already an extension');
      const ext = await post('extensions', { number: '7001', endpoint: 'PJSIP/7001' });
      expect(ext.statusCode).toBe(409);
      expect(ext.json().error.message).toContain('7001 is already a call park extension');
    });

    it('[A1] validates numbers, lists, PINs and timers', async () => {
      const res = await post('slots', { number: '*7001', parkAllow: ['abc'], pin: '12ab', recallTimerSec: 0, musicClass: 'bad class' });
      expect(res.statusCode).toBe(400);
      expect(fieldsOf(res)).toEqual(expect.arrayContaining(['number', 'parkAllow.0', 'pin', 'recallTimerSec', 'musicClass']));
    });

    it('[A1] refuses to delete or renumber a slot while a call is parked there (409 place-in-use)', async () => {
      h.service.calls = [parkedCall(t.id, { placeKey: '7001' })];
      try {
        const del = await h.call('DELETE', `${base}/slots/${slotId}`, { key: t.key });
        expect(del.statusCode).toBe(409);
        expect(del.json().error).toMatchObject({ id: 'place-in-use', details: { place: '7001' } });
        expect((await h.call('PATCH', `${base}/slots/${slotId}`, { key: t.key, body: { number: '7101' } })).statusCode).toBe(409);
        // Other changes are fine.
        expect((await h.call('PATCH', `${base}/slots/${slotId}`, { key: t.key, body: { name: 'Lobby' } })).statusCode).toBe(200);
      } finally {
        h.service.calls = [];
      }
      expect((await h.call('DELETE', `${base}/slots/${slotId}`, { key: t.key })).statusCode).toBe(204);
    });

    it('[A1] refuses to delete an extension with a call parked on it (409 place-in-use)', async () => {
      const ext = (await get('extensions?number=103')).json().items[0];
      h.service.calls = [parkedCall(t.id, { placeKey: '103', place: { kind: 'EXTENSION', number: '103' } })];
      try {
        expect((await h.call('DELETE', `${base}/extensions/${ext.id}`, { key: t.key })).json().error.id).toBe('place-in-use');
      } finally {
        h.service.calls = [];
      }
    });

    it('[A1] stops at the tenant slot limit with 422 limit-reached; pages slots', async () => {
      for (const n of ['7001', '7002', '7003', '7004', '7005', '7006']) expect((await post('slots', { number: n })).statusCode).toBe(201);
      const over = await post('slots', { number: '7007' });
      expect(over.statusCode).toBe(422);
      expect(over.json().error).toMatchObject({ id: 'limit-reached', details: { limit: 6, count: 6 } });
      const page = (await get('slots?limit=4&offset=4')).json();
      expect(page).toMatchObject({ total: 6, limit: 4, offset: 4 });
      expect(page.items.map((s: { number: string }) => s.number)).toEqual(['7005', '7006']);
    });
  });

  describe('[A1] groups', () => {
    let sales: { id: string };
    it('[A1][P4] creates a group with ordered members and destinations', async () => {
      const res = await post('groups', { name: 'Sales', members: ['102', '101'], destinations: ['7003', '7001'], recallOption: 'PARKER_ONLY', recallTimerSec: 90 });
      expect(res.statusCode).toBe(201);
      sales = res.json();
      expect(res.json()).toMatchObject({ name: 'Sales', members: ['102', '101'], destinations: ['7003', '7001'], useMembersAsDestinations: false, recallTimerSec: 90, huntGroupId: null });
      const config = await h.configs.tenantById(t.id);
      expect(config!.groups.get(sales.id)).toMatchObject({ members: ['102', '101'], destinations: ['7003', '7001'] });
      expect(config!.extensions.get('101')!.groupId).toBe(sales.id);
      expect((await get('extensions?number=101')).json().items[0].groupId).toBe(sales.id);
    });

    it('[A1] a group name is unique per tenant; an extension is in at most one group', async () => {
      const dup = await post('groups', { name: 'Sales' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error).toMatchObject({ id: 'conflict', message: 'duplicate group name', details: { field: 'name' } });
      const seated = await post('groups', { name: 'Support', members: ['201', '101'] });
      expect(seated.statusCode).toBe(409);
      expect(seated.json().error).toMatchObject({ id: 'conflict', message: 'extension 101 is already in group Sales', details: { field: 'members', extension: '101' } });
      expect(await h.db.prisma.group.count({ where: { name: 'Support' } })).toBe(0);
    });

    it('[A1] refuses unknown members, destinations and hunt groups', async () => {
      const res = await post('groups', { name: 'Ghosts', members: ['999'] });
      expect(res.statusCode).toBe(400);
      expect(fieldsOf(res)).toEqual(['members']);
      expect(res.json().error.message).toContain('999');
      expect(fieldsOf(await post('groups', { name: 'Ghosts', destinations: ['8000'] }))).toEqual(['destinations']);
      expect(fieldsOf(await post('groups', { name: 'Ghosts', huntGroupId: '00000000-0000-4000-8000-000000000000' }))).toEqual(['huntGroupId']);
      expect(fieldsOf(await post('groups', { name: 'Ghosts', members: ['101', '101'] }))).toEqual(['members']);
    });

    it('[A1] PATCH replaces the lists given and keeps the others', async () => {
      const res = await h.call('PATCH', `${base}/groups/${sales.id}`, { key: t.key, body: { members: ['101', '103', '102'], useMembersAsDestinations: true } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ members: ['101', '103', '102'], destinations: ['7003', '7001'], useMembersAsDestinations: true });
      expect((await get('groups?member=103')).json()).toMatchObject({ total: 1, items: [{ name: 'Sales' }] });
    });

    it('[A1] refuses to delete a group while one of its calls is parked', async () => {
      h.service.calls = [parkedCall(t.id, { groupId: sales.id })];
      try {
        expect((await h.call('DELETE', `${base}/groups/${sales.id}`, { key: t.key })).statusCode).toBe(409);
      } finally {
        h.service.calls = [];
      }
    });
  });

  describe('[A1][C2] hunt groups', () => {
    it('[A1][C2] rings extensions together, or goes to a dialplan destination, not both', async () => {
      const ring = await post('hunt-groups', { name: 'Operators', extensions: ['201', '102'], ringSec: 25 });
      expect(ring.statusCode).toBe(201);
      expect(ring.json()).toMatchObject({ extensions: ['201', '102'], destination: null, ringSec: 25 });
      const dial = await post('hunt-groups', { name: 'Night', destination: 'night-service,s,1' });
      expect(dial.json()).toMatchObject({ extensions: [], destination: 'night-service,s,1', ringSec: 30 });

      expect(fieldsOf(await post('hunt-groups', { name: 'Both', extensions: ['101'], destination: 'x,s,1' }))).toEqual(['extensions']);
      expect(fieldsOf(await post('hunt-groups', { name: 'Neither' }))).toEqual(['extensions']);
      expect(fieldsOf(await post('hunt-groups', { name: 'Bad', destination: 'voicemail' }))).toEqual(['destination']);
      expect(fieldsOf(await post('hunt-groups', { name: 'Unknown', extensions: ['555'] }))).toEqual(['extensions']);
      expect((await post('hunt-groups', { name: 'Operators', destination: 'x,s,1' })).json().error.details.field).toBe('name');

      // Switching a hunt group from extensions to a destination clears the extensions in the same PATCH.
      const switched = await h.call('PATCH', `${base}/hunt-groups/${ring.json().id}`, { key: t.key, body: { extensions: [], destination: 'ops,s,1' } });
      expect(switched.json()).toMatchObject({ extensions: [], destination: 'ops,s,1' });

      // A group and the tenant recall to it; deleting it leaves them without one.
      const group = await post('groups', { name: 'Night shift', huntGroupId: dial.json().id, recallOption: 'PARKER_THEN_HUNT_GROUP' });
      expect(group.statusCode).toBe(201);
      expect((await h.call('PATCH', base, { key: t.key, body: { huntGroupId: dial.json().id } })).statusCode).toBe(200);
      expect((await h.call('DELETE', `${base}/hunt-groups/${dial.json().id}`, { key: t.key })).statusCode).toBe(204);
      expect((await get(`groups/${group.json().id}`)).json().huntGroupId).toBeNull();
      expect((await h.call('GET', base, { key: t.key })).json().huntGroupId).toBeNull();
      expect((await get('hunt-groups')).json()).toMatchObject({ total: 1, items: [{ name: 'Operators' }] });
    });
  });
});
