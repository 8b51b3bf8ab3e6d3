import { startApi, type ApiHarness } from './api-harness';

/** Every route of the API, as the OpenAPI document must list it. */
const ROUTES = [
  'GET /api/v1/tenants',
  'POST /api/v1/tenants',
  'GET /api/v1/tenants/{tenantId}',
  'PATCH /api/v1/tenants/{tenantId}',
  'DELETE /api/v1/tenants/{tenantId}',
  'GET /api/v1/api-keys',
  'POST /api/v1/api-keys',
  'DELETE /api/v1/api-keys/{id}',
  'GET /api/v1/events',
  ...['extensions', 'slots', 'groups', 'hunt-groups', 'webhooks'].flatMap((r) => [
    `GET /api/v1/tenants/{tenantId}/${r}`,
    `POST /api/v1/tenants/{tenantId}/${r}`,
    `GET /api/v1/tenants/{tenantId}/${r}/{id}`,
    `PATCH /api/v1/tenants/{tenantId}/${r}/{id}`,
    `DELETE /api/v1/tenants/{tenantId}/${r}/{id}`,
  ]),
  'POST /api/v1/tenants/{tenantId}/slots/import',
  'GET /api/v1/tenants/{tenantId}/webhooks/{id}/deliveries',
  'POST /api/v1/tenants/{tenantId}/webhooks/{id}/rotate-secret',
  'GET /api/v1/tenants/{tenantId}/extensions/{number}/calls',
  'GET /api/v1/tenants/{tenantId}/parked-calls',
  'POST /api/v1/tenants/{tenantId}/parked-calls',
  'POST /api/v1/tenants/{tenantId}/parked-calls/{id}/retrieve',
  'DELETE /api/v1/tenants/{tenantId}/parked-calls/{id}',
  'GET /api/v1/tenants/{tenantId}/history',
  'GET /api/v1/tenants/{tenantId}/history/{id}',
  'GET /healthz',
  'GET /readyz',
];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  security?: unknown[];
  tags?: string[];
  requestBody?: { content: Record<string, unknown> };
}

describe('[A1] OpenAPI document', () => {
  let h: ApiHarness;
  let doc: { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };
  beforeAll(async () => {
    h = await startApi();
    const res = await h.call('GET', '/docs/json', { key: null });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(() => h.close());

  it('[A1] is a structurally valid OpenAPI 3 document', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['apiKey']);
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS).toContain(method);
        const where = `${method.toUpperCase()} ${path}`;
        // Responses: at least one, each with a description, at least one success.
        const statuses = Object.keys(op.responses);
        expect(statuses.length).toBeGreaterThan(0);
        expect(statuses.some((s) => /^[12]\d\d$/.test(s))).toBe(true);
        for (const response of Object.values(op.responses)) expect(typeof response.description).toBe('string');
        // Every path parameter is declared, required, and no other.
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect([where, pathParams.map((p) => p.name).sort()]).toEqual([where, [...templated].sort()]);
        for (const p of pathParams) expect(p.required).toBe(true);
        if (path.startsWith('/api/')) {
          expect([where, op.security]).toEqual([where, [{ apiKey: [] }]]);
          expect([where, Object.keys(op.responses)]).toEqual([where, expect.arrayContaining(['400', '401'])]);
          expect(op.tags?.length).toBeGreaterThan(0);
        }
      }
    }
    // Every reference resolves inside the document.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas).toHaveProperty([ref.slice('#/components/schemas/'.length)]);
    }
  });

  it('[A1] lists every route with its responses', () => {
    const listed = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect([...listed].sort()).toEqual([...ROUTES].sort());
    const op = (route: string) => {
      const [method, path] = route.split(' ');
      return doc.paths[path][method.toLowerCase()];
    };
    expect(Object.keys(op('POST /api/v1/tenants/{tenantId}/slots').responses)).toEqual(expect.arrayContaining(['201', '409', '422']));
    expect(Object.keys(op('DELETE /api/v1/tenants/{tenantId}/slots/{id}').responses)).toEqual(expect.arrayContaining(['204', '404', '409']));
    expect(Object.keys(op('POST /api/v1/tenants/{tenantId}/parked-calls').responses)).toEqual(expect.arrayContaining(['202', '403', '404', '409', '503']));
    expect(Object.keys(op('POST /api/v1/tenants/{tenantId}/slots/import').requestBody!.content)).toEqual(['text/csv']);
    // The PIN is write-only: in request bodies, never in responses.
    const slot = op('GET /api/v1/tenants/{tenantId}/slots/{id}').responses['200'].content!['application/json'].schema as { properties: Record<string, unknown> };
    expect(Object.keys(slot.properties)).toEqual(expect.arrayContaining(['number', 'hasPin']));
    expect(slot.properties).not.toHaveProperty('pin');
    expect(slot.properties).not.toHaveProperty('pinHash');
  });

  it('[A1] serves the interactive documentation at /docs', async () => {
    const res = await h.call('GET', '/docs/', { key: null });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});
