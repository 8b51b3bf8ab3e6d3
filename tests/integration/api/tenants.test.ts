import { parkedCall, startApi, type ApiHarness } from './api-harness';

const fieldsOf = (body: { error: { details: { fields?: Array<{ field: string }> } } }) => body.error.details.fields?.map((f) => f.field);

describe('[A1] tenants and their settings', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(() => h.close());

  it('[A1] creates a tenant with the defaults of the schema and reads it back', async () => {
    const res = await h.call('POST', '/api/v1/tenants', { body: { slug: 'acme', name: 'Acme' } });
    expect(res.statusCode).toBe(201);
    const tenant = res.json();
    expect(tenant).toMatchObject({
      slug: 'acme',
      parkPrefix: '*70',
      retrievePrefix: '*71',
      groupParkCodes: ['*58', '#58'],
      recallAlertInfo: '<http://127.0.0.1>;info=Bellcore-dr2',
      parkMode: 'NEXT_SLOT',
      occupiedSlotPolicy: 'REJECT',
      recallTimerSec: 120,
      recallOption: 'PARKER_ONLY',
      maxParkTimeSec: 900,
      musicClass: 'default',
      slotLimit: 100,
      huntGroupId: null,
      finalDestination: null,
    });
    expect(tenant.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await h.call('GET', `/api/v1/tenants/${tenant.id}`)).json()).toEqual(tenant);
  });

  it('[A1] refuses bad settings, naming every failing field', async () => {
    const res = await h.call('POST', '/api/v1/tenants', {
      body: { slug: 'Bad Slug', name: 'x', parkPrefix: '70', recallTimerSec: 0, finalDestination: 'voicemail', parkMode: 'SOMETIMES', colour: 'red' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.id).toBe('validation');
    expect(fieldsOf(res.json())).toEqual(expect.arrayContaining(['slug', 'parkPrefix', 'recallTimerSec', 'finalDestination', 'parkMode', 'colour']));

    const same = await h.call('POST', '/api/v1/tenants', { body: { slug: 'same', name: 'x', retrievePrefix: '*70' } });
    expect(same.statusCode).toBe(400);
    expect(fieldsOf(same.json())).toEqual(['retrievePrefix']);
    const group = await h.call('POST', '/api/v1/tenants', { body: { slug: 'same', name: 'x', groupParkCodes: ['#58', '*71'] } });
    expect(fieldsOf(group.json())).toEqual(['groupParkCodes']);
  });

  it('[A1] a duplicate slug is a conflict naming the field', async () => {
    await h.call('POST', '/api/v1/tenants', { body: { slug: 'twice', name: 'One' } });
    const res = await h.call('POST', '/api/v1/tenants', { body: { slug: 'twice', name: 'Two' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ id: 'conflict', details: { field: 'slug' } });
  });

  it('[A1] updates settings (PATCH) and the running service sees them at once', async () => {
    const t = await h.tenant('patchy');
    expect((await h.configs.tenantById(t.id))!.settings.recallTimerSec).toBe(120);
    const res = await h.call('PATCH', `/api/v1/tenants/${t.id}`, {
      key: t.key,
      body: { parkPrefix: '*68', retrievePrefix: '*88', groupParkCodes: ['*58', '#58'], recallTimerSec: 45, recallAlertInfo: '<http://x>;info=alert-autoanswer', parkMode: 'RANDOM_CODE' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ parkPrefix: '*68', retrievePrefix: '*88', recallTimerSec: 45, parkMode: 'RANDOM_CODE' });
    expect((await h.configs.tenantById(t.id))!.settings).toMatchObject({ parkPrefix: '*68', recallTimerSec: 45 });

    // The slot limit is the operator's to set, not the tenant's.
    const limit = await h.call('PATCH', `/api/v1/tenants/${t.id}`, { key: t.key, body: { slotLimit: 5000 } });
    expect(limit.statusCode).toBe(403);
    expect((await h.call('PATCH', `/api/v1/tenants/${t.id}`, { body: { slotLimit: 5 } })).json().slotLimit).toBe(5);
    // So is the slug (it names the dialplan context), and not while calls are parked.
    expect((await h.call('PATCH', `/api/v1/tenants/${t.id}`, { key: t.key, body: { slug: 'renamed' } })).statusCode).toBe(403);
    h.service.calls = [parkedCall(t.id)];
    expect((await h.call('PATCH', `/api/v1/tenants/${t.id}`, { body: { slug: 'renamed' } })).json().error.id).toBe('place-in-use');
    h.service.calls = [];
    expect((await h.call('PATCH', `/api/v1/tenants/${t.id}`, { body: { slug: 'renamed' } })).json().slug).toBe('renamed');
    expect((await h.configs.tenantBySlug('renamed'))?.settings.id).toBe(t.id);

    // A hunt group of another tenant cannot be referenced.
    const other = await h.tenant('other');
    const hg = await h.call('POST', `/api/v1/tenants/${other.id}/hunt-groups`, { body: { name: 'ops', destination: 'ops,s,1' } });
    const foreign = await h.call('PATCH', `/api/v1/tenants/${t.id}`, { body: { huntGroupId: hg.json().id } });
    expect(foreign.statusCode).toBe(400);
    expect(fieldsOf(foreign.json())).toEqual(['huntGroupId']);
  });

  it('[A1] lists tenants with paging and filters, with the total', async () => {
    for (const slug of ['p-a', 'p-b', 'p-c']) await h.tenant(slug);
    const page = await h.call('GET', '/api/v1/tenants?slug=p-b');
    expect(page.json()).toMatchObject({ total: 1, items: [{ slug: 'p-b' }] });
    const first = (await h.call('GET', '/api/v1/tenants?limit=2&offset=0')).json();
    const second = (await h.call('GET', '/api/v1/tenants?limit=2&offset=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first.total).toBe(second.total);
    expect(first.total).toBeGreaterThanOrEqual(6);
    expect(second.items[0].slug > first.items[1].slug).toBe(true);
    expect((await h.call('GET', '/api/v1/tenants?limit=0')).statusCode).toBe(400);
  });

  it('[A1] refuses to delete a tenant while a call is parked there (409 place-in-use), then deletes it', async () => {
    const t = await h.tenant('doomed');
    h.service.calls = [parkedCall(t.id)];
    const busy = await h.call('DELETE', `/api/v1/tenants/${t.id}`);
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error.id).toBe('place-in-use');
    h.service.calls = [];
    expect((await h.call('DELETE', `/api/v1/tenants/${t.id}`, { key: t.key })).statusCode).toBe(403);
    expect((await h.call('DELETE', `/api/v1/tenants/${t.id}`)).statusCode).toBe(204);
    expect((await h.call('GET', `/api/v1/tenants/${t.id}`)).statusCode).toBe(404);
    // Its keys went with it.
    expect((await h.call('GET', '/api/v1/tenants', { key: t.key })).statusCode).toBe(401);
  });
});
