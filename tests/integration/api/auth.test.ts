import { createHash } from 'node:crypto';
import { ADMIN_KEY, startApi, type ApiHarness } from './api-harness';

describe('[A5] API keys and tenant scoping', () => {
  let h: ApiHarness;
  let acme: { id: string; key: string };
  let globex: { id: string; key: string };
  beforeAll(async () => {
    h = await startApi();
    acme = await h.tenant('acme');
    globex = await h.tenant('globex');
  });
  afterAll(() => h.close());

  it('[A5] refuses a request without a key, with a wrong key, or with a malformed header', async () => {
    for (const key of [null, 'nope-not-a-key']) {
      const res = await h.call('GET', '/api/v1/tenants', { key });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { id: 'unauthorized', message: expect.any(String), details: {} } });
    }
    const basic = await h.call('GET', '/api/v1/tenants', { key: null, headers: { authorization: `Basic ${ADMIN_KEY}` } });
    expect(basic.statusCode).toBe(401);
    // The key is only taken from the query string where that is allowed (the WebSocket).
    expect((await h.call('GET', `/api/v1/tenants?apiKey=${ADMIN_KEY}`, { key: null })).statusCode).toBe(401);
  });

  it('[A5] stores only the SHA-256 of a key, shows the key once, and lists keys without it', async () => {
    const created = await h.call('POST', '/api/v1/api-keys', { body: { name: 'reception', tenantId: acme.id } });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json();
    expect(key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    const row = await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id } });
    expect(row.hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key);

    const list = await h.call('GET', `/api/v1/api-keys?tenantId=${acme.id}`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((k: { name: string }) => k.name)).toEqual(['acme key', 'reception']);
    expect(list.body).not.toContain(key);
    expect(list.json().items[0]).not.toHaveProperty('hash');
  });

  it('[A5] a tenant key sees its own tenant only: another tenant is "not found", never "forbidden"', async () => {
    expect((await h.call('GET', `/api/v1/tenants/${acme.id}`, { key: acme.key })).statusCode).toBe(200);
    for (const url of [`/api/v1/tenants/${globex.id}`, `/api/v1/tenants/${globex.id}/slots`, `/api/v1/tenants/${globex.id}/parked-calls`, `/api/v1/tenants/${globex.id}/history`]) {
      const res = await h.call('GET', url, { key: acme.key });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.id).toBe('not-found');
    }
    const write = await h.call('POST', `/api/v1/tenants/${globex.id}/extensions`, { key: acme.key, body: { number: '101', endpoint: 'PJSIP/g101' } });
    expect(write.statusCode).toBe(404);
    expect(await h.db.prisma.extension.count({ where: { tenantId: globex.id } })).toBe(0);

    const tenants = await h.call('GET', '/api/v1/tenants', { key: acme.key });
    expect(tenants.json()).toMatchObject({ total: 1, items: [{ id: acme.id, slug: 'acme' }] });
    // Keys: its own tenant's only, and it cannot mint keys elsewhere or system-wide.
    const keys = await h.call('GET', '/api/v1/api-keys', { key: acme.key });
    expect(keys.json().items.every((k: { tenantId: string }) => k.tenantId === acme.id)).toBe(true);
    expect((await h.call('GET', `/api/v1/api-keys?tenantId=${globex.id}`, { key: acme.key })).statusCode).toBe(404);
    expect((await h.call('POST', '/api/v1/api-keys', { key: acme.key, body: { name: 'x', tenantId: globex.id } })).statusCode).toBe(404);
    const admin = await h.call('POST', '/api/v1/api-keys', { key: acme.key, body: { name: 'x', tenantId: null } });
    expect(admin.statusCode).toBe(403);
    expect(admin.json().error.id).toBe('not-allowed');
  });

  it('[A5] system-wide keys act on any tenant; only they create tenants', async () => {
    expect((await h.call('GET', `/api/v1/tenants/${globex.id}`)).statusCode).toBe(200);
    const created = await h.call('POST', '/api/v1/api-keys', { body: { name: 'ops', tenantId: null } });
    expect(created.json()).toMatchObject({ tenantId: null, name: 'ops' });
    const ops = created.json().key;
    expect((await h.call('GET', `/api/v1/tenants/${acme.id}/slots`, { key: ops })).statusCode).toBe(200);
    expect((await h.call('GET', '/api/v1/tenants', { key: ops })).json().total).toBe(2);

    const refused = await h.call('POST', '/api/v1/tenants', { key: acme.key, body: { slug: 'mine', name: 'Mine' } });
    expect(refused.statusCode).toBe(403);
    // An unknown tenant is 404 for an admin too.
    expect((await h.call('GET', '/api/v1/tenants/00000000-0000-4000-8000-000000000000/slots')).statusCode).toBe(404);
  });

  it('[A5] a revoked key is refused at once, and another tenant cannot revoke it', async () => {
    const { id, key } = (await h.call('POST', '/api/v1/api-keys', { body: { name: 'temp', tenantId: acme.id } })).json();
    expect((await h.call('GET', `/api/v1/tenants/${acme.id}`, { key })).statusCode).toBe(200);
    expect((await h.call('DELETE', `/api/v1/api-keys/${id}`, { key: globex.key })).statusCode).toBe(404);
    expect((await h.call('DELETE', `/api/v1/api-keys/${id}`, { key: acme.key })).statusCode).toBe(204);
    const res = await h.call('GET', `/api/v1/tenants/${acme.id}`, { key });
    expect(res.statusCode).toBe(401);
    const row = await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id } });
    expect(row.revokedAt).not.toBeNull();
    expect(row.lastUsedAt).not.toBeNull();
    // Revoked keys are listed on request only.
    const listed = await h.call('GET', `/api/v1/api-keys?tenantId=${acme.id}&includeRevoked=true`);
    expect(listed.json().items.find((k: { id: string }) => k.id === id).revokedAt).not.toBeNull();
    expect((await h.call('GET', `/api/v1/api-keys?tenantId=${acme.id}`)).json().items.find((k: { id: string }) => k.id === id)).toBeUndefined();
  });

  it('[A5] validation errors of key creation name the fields', async () => {
    const res = await h.call('POST', '/api/v1/api-keys', { body: { tenantId: 'not-a-uuid', extra: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.id).toBe('validation');
  });
});
