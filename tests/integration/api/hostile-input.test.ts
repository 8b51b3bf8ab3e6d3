import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createLogger } from '../../../apps/parking/src/logger';
import { createPrismaClient } from '../../../apps/parking/src/store/database';
import { WebhookSender } from '../../../apps/parking/src/http/webhook-sender';
import { BLOCKED } from '../../../apps/parking/src/http/webhook-address';
import { ADMIN_KEY, startApi, type ApiHarness } from './api-harness';

/**
 * Issue 14: the API as a hostile tenant and a careless admin would use it. Every case went
 * through the real HTTP stack (Fastify inject) and real PostgreSQL; concurrency cases send
 * their requests in parallel for real.
 */
type Res = Awaited<ReturnType<ApiHarness['call']>>;
const error = (res: Res) => res.json().error as { id: string; message: string; details: Record<string, unknown> };
const fields = (res: Res) => ((error(res).details.fields as Array<{ field: string }> | undefined) ?? []).map((f) => f.field);

describe('[SEC] hostile input through the API', () => {
  let h: ApiHarness;
  let alpha: { id: string; key: string };
  let beta: { id: string; key: string };
  const A = () => `/api/v1/tenants/${alpha.id}`;
  const asAlpha = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>) =>
    h.call(method, `${A()}${path}`, { key: alpha.key, body, headers });

  beforeAll(async () => {
    h = await startApi();
    alpha = await h.tenant('alpha', { endpointPatterns: ['PJSIP/a*'], dialplanContexts: ['from-alpha'] });
    beta = await h.tenant('beta', { endpointPatterns: ['PJSIP/b*'], dialplanContexts: ['from-beta'] });
    expect((await h.call('POST', `/api/v1/tenants/${beta.id}/extensions`, { key: beta.key, body: { number: '202', endpoint: 'PJSIP/b202' } })).statusCode).toBe(201);
  });
  afterAll(() => h.close());

  describe('[SEC] 1. dialplan injection', () => {
    it('[SEC] refuses a tenant, group, slot or hunt-group name with a line break or control character, naming the field', async () => {
      const hostile = 'Alpha\nexten => _X.,1,System(touch /tmp/pwned)\n';
      const tenant = await h.call('PATCH', A(), { key: alpha.key, body: { name: hostile } });
      expect(tenant.statusCode).toBe(400);
      expect(fields(tenant)).toEqual(['name']);
      for (const [path, body] of [
        ['/groups', { name: hostile }],
        ['/slots', { number: '7001', name: 'x\ry' }],
        ['/hunt-groups', { name: 'a\u2028b', extensions: [] }],
        ['/extensions', { number: '101', name: 'x\u0007', endpoint: 'PJSIP/a101' }],
      ] as const) {
        const res = await asAlpha('POST', path, body);
        expect([path, res.statusCode, fields(res)]).toEqual([path, 400, ['name']]);
      }
      expect((await h.call('GET', A(), { key: alpha.key })).json().name).toBe('ALPHA');
    });

    it('[SEC] refuses slugs whose lamps could collide with another tenant\'s (alpha-701 vs alpha slot 701)', async () => {
      for (const slug of ['alpha-701', 'alpha-', 'a--b', 'x-*1']) {
        const res = await h.call('POST', '/api/v1/tenants', { body: { slug, name: 'x' } });
        expect([slug, res.statusCode, fields(res)]).toEqual([slug, 400, ['slug']]);
      }
    });
  });

  describe('[SEC] 2. dial-string and context injection', () => {
    it('[SEC] refuses endpoints that are not one technology/resource', async () => {
      for (const endpoint of ['PJSIP/a402&PJSIP/b201', 'PJSIP/ax,,U(evil)', 'Local/*71701@parking-beta', 'PJSIP/a1/sip:x@evil', 'PJSIP/a 1']) {
        const res = await asAlpha('POST', '/extensions', { number: '401', endpoint });
        expect([endpoint, res.statusCode, fields(res)]).toEqual([endpoint, 400, ['endpoint']]);
      }
    });

    it("[SEC] keeps dialplan destinations inside the contexts the system admin allowed the tenant", async () => {
      const final = await h.call('PATCH', A(), { key: alpha.key, body: { finalDestination: 'parking-beta,*71701,1' } });
      expect([final.statusCode, fields(final)]).toEqual([400, ['finalDestination']]);
      const hunt = await asAlpha('POST', '/hunt-groups', { name: 'sneaky', destination: 'parking-beta,*71701,1' });
      expect([hunt.statusCode, fields(hunt)]).toEqual([400, ['destination']]);
      const weird = await asAlpha('POST', '/hunt-groups', { name: 'weird', destination: 'from-alpha,s(1),1' });
      expect([weird.statusCode, fields(weird)]).toEqual([400, ['destination']]);
      // Only a system-wide key widens the list.
      const grant = await h.call('PATCH', A(), { key: alpha.key, body: { dialplanContexts: ['from-alpha', 'parking-beta'] } });
      expect([grant.statusCode, error(grant).id]).toEqual([403, 'not-allowed']);
      const ok = await h.call('PATCH', A(), { key: alpha.key, body: { finalDestination: 'from-alpha,0,1' } });
      expect(ok.statusCode).toBe(200);
    });
  });

  describe('[SEC] 3. endpoint squatting', () => {
    it("[SEC] a tenant key cannot claim another tenant's endpoint, and learns nothing about it", async () => {
      const squat = await asAlpha('POST', '/extensions', { number: '402', endpoint: 'PJSIP/b202' });
      const free = await asAlpha('POST', '/extensions', { number: '402', endpoint: 'PJSIP/b999' });
      // The same answer whether the endpoint exists elsewhere or not.
      expect([squat.statusCode, fields(squat)]).toEqual([400, ['endpoint']]);
      expect(squat.body).toBe(free.body);
      const widen = await h.call('PATCH', A(), { key: alpha.key, body: { endpointPatterns: ['PJSIP/*'] } });
      expect([widen.statusCode, error(widen).id]).toEqual([403, 'not-allowed']);
    });

    it('[SEC] overlapping grants: the 409 does not say whose endpoint it is', async () => {
      expect((await h.call('PATCH', A(), { body: { endpointPatterns: ['PJSIP/a*', 'PJSIP/b202'] } })).statusCode).toBe(200);
      const res = await asAlpha('POST', '/extensions', { number: '403', endpoint: 'PJSIP/b202' });
      expect(res.statusCode).toBe(409);
      expect(error(res)).toEqual({ id: 'conflict', message: 'this endpoint is not available', details: { field: 'endpoint' } });
      expect(res.body).not.toMatch(/beta|202"|extension 202/);
      expect((await h.call('PATCH', A(), { body: { endpointPatterns: ['PJSIP/a*'] } })).statusCode).toBe(200);
    });
  });

  describe('[SEC] 4. SSRF through webhooks', () => {
    it('[SEC] refuses loopback, link-local, private and unspecified webhook addresses', async () => {
      for (const url of [
        'http://127.0.0.1:5432/',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]/',
        'http://0x7f000001/',
        'http://localhost:8080/',
        'http://10.0.0.8/',
        'http://192.168.1.1/',
        'http://0.0.0.0/',
        'http://[::ffff:127.0.0.1]/',
        'http://[fe80::1]/',
      ]) {
        const res = await asAlpha('POST', '/webhooks', { url });
        expect([url, res.statusCode, fields(res)]).toEqual([url, 400, ['url']]);
      }
    });

    it('[SEC] checks the resolved address at connect time: a name resolving to loopback is not delivered to, open port or closed', async () => {
      let hits = 0;
      const server = http.createServer((_req, res) => {
        hits++;
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const open = (server.address() as AddressInfo).port;
      const closed = await new Promise<number>((resolve) => {
        const s = http.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      // As if the name resolved elsewhere when the webhook was created (DNS rebinding): rows written directly.
      const ids = [];
      for (const port of [open, closed]) {
        ids.push((await h.db.prisma.webhook.create({ data: { tenantId: alpha.id, url: `http://localhost:${port}/hook`, secret: 'x'.repeat(20) } })).id);
      }
      const sender = new WebhookSender({ prisma: h.db.prisma, events: h.bus, now: () => h.clock.now, log: createLogger('silent'), maxAttempts: 1 });
      try {
        h.bus.publish({ type: 'parked', tenantId: alpha.id, parkedCallId: null, data: {} });
        await sender.deliverDue();
        const rows = await h.db.prisma.webhookDelivery.findMany({ where: { webhookId: { in: ids } } });
        expect(rows.map((r) => [r.status, r.lastError])).toEqual([
          ['failed', BLOCKED],
          ['failed', BLOCKED],
        ]);
        expect(hits).toBe(0);
      } finally {
        await sender.stop();
        await h.db.prisma.webhook.deleteMany({ where: { id: { in: ids } } });
        server.close();
      }
    });
  });

  describe('[SEC] 5. webhook secrets', () => {
    it('[SEC] shows the secret only at creation and on rotation', async () => {
      const created = await asAlpha('POST', '/webhooks', { url: 'https://hooks.example.com/p' });
      expect(created.statusCode).toBe(201);
      const { id, secret } = created.json();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const reads = [await asAlpha('GET', `/webhooks/${id}`), await asAlpha('GET', '/webhooks'), await asAlpha('PATCH', `/webhooks/${id}`, { enabled: false })];
      for (const res of reads) {
        expect(res.statusCode).toBe(200);
        expect(res.body).not.toContain(secret);
        expect(res.body).not.toContain('"secret"');
      }
      const rotated = await asAlpha('POST', `/webhooks/${id}/rotate-secret`);
      expect(rotated.statusCode).toBe(200);
      expect(rotated.json().secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(rotated.json().secret).not.toBe(secret);
      expect((await h.db.prisma.webhook.findUniqueOrThrow({ where: { id } })).secret).toBe(rotated.json().secret);
      // Another tenant's key cannot rotate it.
      expect((await h.call('POST', `/api/v1/tenants/${beta.id}/webhooks/${id}/rotate-secret`, { key: beta.key })).statusCode).toBe(404);
    });
  });

  describe('[SEC] 6. races past the limits (real parallel requests)', () => {
    it('[SEC] 200 concurrent slot creates never pass slotLimit 5', async () => {
      const t = await h.tenant('racer', { slotLimit: 5 });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => h.call('POST', `/api/v1/tenants/${t.id}/slots`, { key: t.key, body: { number: String(8000 + i) } })),
      );
      expect(results.filter((r) => r.statusCode === 201)).toHaveLength(5);
      expect(new Set(results.map((r) => r.statusCode))).toEqual(new Set([201, 422]));
      expect(await h.db.prisma.parkSlot.count({ where: { tenantId: t.id } })).toBe(5);
    });

    it('[SEC] two concurrent 600-row imports with limit 1000: one succeeds, the other is refused whole', async () => {
      const t = await h.tenant('importer', { slotLimit: 1000 });
      const csv = (from: number) => `number\n${Array.from({ length: 600 }, (_, i) => String(from + i)).join('\n')}\n`;
      const [a, b] = await Promise.all(
        [10000, 20000].map((from) => h.call('POST', `/api/v1/tenants/${t.id}/slots/import`, { key: t.key, body: csv(from), headers: { 'content-type': 'text/csv' } })),
      );
      expect([a.statusCode, b.statusCode].sort()).toEqual([201, 422]);
      expect(await h.db.prisma.parkSlot.count({ where: { tenantId: t.id } })).toBe(600);
    });

    it('[SEC] 50 + 50 concurrent creates of slot 888 and extension 888: exactly one wins', async () => {
      const t = await h.tenant('clash');
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          i % 2 === 0
            ? h.call('POST', `/api/v1/tenants/${t.id}/slots`, { key: t.key, body: { number: '888' } })
            : h.call('POST', `/api/v1/tenants/${t.id}/extensions`, { key: t.key, body: { number: '888', endpoint: `PJSIP/clash${i}` } }),
        ),
      );
      expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
      expect(results.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true);
      const [slots, extensions] = await Promise.all([
        h.db.prisma.parkSlot.count({ where: { tenantId: t.id, number: '888' } }),
        h.db.prisma.extension.count({ where: { tenantId: t.id, number: '888' } }),
      ]);
      expect(slots + extensions).toBe(1);
    });
  });

  describe('[SEC] 7. bad input is a 400 naming the field, an outage a 503', () => {
    it('[SEC] a NUL in a body field, a filter or a CSV cell is a 400 naming it', async () => {
      const body = await asAlpha('POST', '/groups', { name: 'a\u0000b' });
      expect([body.statusCode, fields(body)]).toEqual([400, ['name']]);
      const webhook = await asAlpha('POST', '/webhooks', { url: 'https://example.com/\u0000' });
      expect([webhook.statusCode, fields(webhook)]).toEqual([400, ['url']]);
      const filter = await asAlpha('GET', '/extensions?name=%00');
      expect([filter.statusCode, fields(filter)]).toEqual([400, ['name']]);
      const tenants = await h.call('GET', '/api/v1/tenants?slug=a%00');
      expect([tenants.statusCode, fields(tenants)]).toEqual([400, ['slug']]);
      const csv = await asAlpha('POST', '/slots/import', 'number,name\n7101,ok\n7102,bad\u0000name\n', { 'content-type': 'text/csv' });
      expect(csv.statusCode).toBe(400);
      expect(error(csv).details.rows).toEqual([{ line: 3, number: '7102', problems: [expect.stringMatching(/^name /)] }]);
    });

    it('[SEC] an offset beyond what the database and JavaScript can count is a 400 naming offset', async () => {
      for (const offset of ['9007199254740993', '1e300', '18446744073709551616']) {
        const res = await asAlpha('GET', `/slots?offset=${offset}`);
        expect([offset, res.statusCode, fields(res)]).toEqual([offset, 400, ['offset']]);
      }
      const far = await asAlpha('GET', '/slots?offset=2147483647');
      expect([far.statusCode, far.json().items]).toEqual([200, []]);
    });

    it('[SEC] a database outage is 503 database-unavailable with Retry-After', async () => {
      const down = await startApi({ prisma: createPrismaClient('postgresql://postgres@127.0.0.1:1/nowhere') });
      try {
        for (const url of ['/api/v1/tenants', `/api/v1/tenants/${alpha.id}/slots`]) {
          const res = await down.call('GET', url);
          expect([url, res.statusCode, error(res).id]).toEqual([url, 503, 'database-unavailable']);
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        }
      } finally {
        await down.close();
      }
    });
  });

  describe('[SEC] 8. strict bodies and cross-field rules', () => {
    it('[SEC] no silent coercion: "" is not null, 1e3 is not "1000", "false" is not false', async () => {
      const cases: Array<[string, 'POST' | 'PATCH', string, unknown, string]> = [
        ['"" for a nullable number', 'POST', '/slots', { number: '7201', recallTimerSec: '' }, 'recallTimerSec'],
        ['a number for a string', 'POST', '/slots', { number: 7202 }, 'number'],
        ['"false" for a boolean', 'POST', '/webhooks', { url: 'https://example.com/x', enabled: 'false' }, 'enabled'],
        ['a string for an integer', 'PATCH', '', { recallTimerSec: '60' }, 'recallTimerSec'],
        ['1e3 for a name', 'POST', '/groups', { name: 1e3 }, 'name'],
      ];
      for (const [what, method, path, body, field] of cases) {
        const res = await asAlpha(method, path, body);
        expect([what, res.statusCode, fields(res)]).toEqual([what, 400, [field]]);
      }
    });

    it('[SEC] maxParkTimeSec must exceed recallTimerSec', async () => {
      const res = await h.call('PATCH', A(), { key: alpha.key, body: { maxParkTimeSec: 1, recallTimerSec: 86400 } });
      expect([res.statusCode, fields(res)]).toEqual([400, ['maxParkTimeSec']]);
      const created = await h.call('POST', '/api/v1/tenants', { body: { slug: 'quick', name: 'q', maxParkTimeSec: 60 } });
      expect([created.statusCode, fields(created)]).toEqual([400, ['maxParkTimeSec']]);
    });

    it('[SEC] deleting an extension that a hunt group, a slot or the tenant still names is a 409 naming them', async () => {
      const ext = await asAlpha('POST', '/extensions', { number: '501', endpoint: 'PJSIP/a501' });
      expect(ext.statusCode).toBe(201);
      const hg = await asAlpha('POST', '/hunt-groups', { name: 'Night', extensions: ['501'] });
      const slot = await asAlpha('POST', '/slots', { number: '7501', retrieveAllow: ['501'] });
      expect([hg.statusCode, slot.statusCode]).toEqual([201, 201]);
      const del = await asAlpha('DELETE', `/extensions/${ext.json().id}`);
      expect(del.statusCode).toBe(409);
      expect(error(del)).toMatchObject({ id: 'conflict', details: { referencedBy: [{ kind: 'hunt-group', name: 'Night' }, { kind: 'slot', number: '7501' }] } });
      // Freed of its references, it goes; the hunt group stays editable.
      expect((await asAlpha('PATCH', `/hunt-groups/${hg.json().id}`, { extensions: [], destination: 'from-alpha,0,1' })).statusCode).toBe(200);
      expect((await asAlpha('PATCH', `/slots/${slot.json().id}`, { retrieveAllow: [] })).statusCode).toBe(200);
      expect((await asAlpha('DELETE', `/extensions/${ext.json().id}`)).statusCode).toBe(204);
    });
  });

  describe('[SEC] 10. sessions end with their key or tenant', () => {
    let url: string;
    beforeAll(async () => {
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      url = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/api/v1/events`;
    });
    const open = async (key: string, query = '') => {
      const ws = new WebSocket(`${url}${query}`, { headers: { authorization: `Bearer ${key}` } });
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      });
      return { ws, closed };
    };

    it('[SEC] an event stream is closed when its key is revoked', async () => {
      const key = await h.call('POST', '/api/v1/api-keys', { key: alpha.key, body: { name: 'wall board', tenantId: alpha.id } });
      const stream = await open(key.json().key);
      const other = await open(alpha.key);
      expect((await h.call('DELETE', `/api/v1/api-keys/${key.json().id}`, { key: alpha.key })).statusCode).toBe(204);
      expect(await stream.closed).toBe(1008);
      expect(other.ws.readyState).toBe(WebSocket.OPEN);
      other.ws.close();
      await other.closed;
    });

    it("[SEC] an event stream is closed when its tenant is deleted (tenant key and a system key's stream of it)", async () => {
      const doomed = await h.tenant('doomed');
      const tenantStream = await open(doomed.key);
      const adminStream = await open(ADMIN_KEY, `?tenantId=${doomed.id}`);
      expect((await h.call('DELETE', `/api/v1/tenants/${doomed.id}`)).statusCode).toBe(204);
      expect(await tenantStream.closed).toBe(1008);
      expect(await adminStream.closed).toBe(1008);
    });
  });

  describe('[SEC] 11. PINs', () => {
    it('[SEC] slots imported with the same PIN get a salt each', async () => {
      const t = await h.tenant('pins');
      const rows = Array.from({ length: 20 }, (_, i) => `${7600 + i},1234`).join('\n');
      const res = await h.call('POST', `/api/v1/tenants/${t.id}/slots/import`, { key: t.key, body: `number,pin\n${rows}\n`, headers: { 'content-type': 'text/csv' } });
      expect(res.statusCode).toBe(201);
      const hashes = (await h.db.prisma.parkSlot.findMany({ where: { tenantId: t.id } })).map((s) => s.pinHash);
      expect(new Set(hashes).size).toBe(20);
      expect(new Set(hashes.map((x) => x!.split('$')[1])).size).toBe(20);
    });
  });

  describe('[SEC] 12. abuse limits', () => {
    it('[SEC] 413 and 415 have their own error ids', async () => {
      const big = await asAlpha('POST', '/groups', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
      expect([big.statusCode, error(big).id]).toEqual([413, 'payload-too-large']);
      const xml = await asAlpha('POST', '/groups', '<group/>', { 'content-type': 'application/xml' });
      expect([xml.statusCode, error(xml).id]).toEqual([415, 'unsupported-media-type']);
    });

    it('[SEC] rate limit per key: 429 rate-limited with Retry-After; /docs/json and /metrics can require a system key', async () => {
      const limited = await startApi({ rateLimit: { max: 3, windowMs: 60_000 }, publicDocs: false, publicMetrics: false });
      try {
        const t = await limited.tenant('limited');
        const codes = [];
        for (let i = 0; i < 4; i++) codes.push((await limited.call('GET', `/api/v1/tenants/${t.id}`, { key: t.key })).statusCode);
        expect(codes).toEqual([200, 200, 200, 429]);
        const over = await limited.call('GET', `/api/v1/tenants/${t.id}`, { key: t.key });
        expect(error(over).id).toBe('rate-limited');
        expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
        // Another key has its own budget.
        expect((await limited.call('GET', '/api/v1/tenants')).statusCode).toBe(200);

        expect((await limited.call('GET', '/docs/json', { key: null })).statusCode).toBe(401);
        expect((await limited.call('GET', '/docs/json', { key: t.key })).statusCode).toBe(403);
        expect((await limited.call('GET', '/docs/json')).statusCode).toBe(200);
      } finally {
        await limited.close();
      }
    });
  });
});
