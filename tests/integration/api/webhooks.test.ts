import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../../apps/parking/src/logger';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookSender, verifyWebhook } from '../../../apps/parking/src/http/webhook-sender';
import { T0, startApi, type ApiHarness } from './api-harness';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 answering with the statuses it is given, in turn (then 200). */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('[A4] webhooks', () => {
  let h: ApiHarness;
  let t: { id: string; key: string };
  let other: { id: string; key: string };
  let sender: WebhookSender;
  let base: string;
  const log = createLogger('silent');
  const newSender = () => new WebhookSender({ prisma: h.db.prisma, events: h.bus, now: () => h.clock.now, log, maxAttempts: 3, backoffMs: 5_000, allowPrivateNetworks: true });
  const publish = (type: string, tenantId = t.id) => h.bus.publish({ type, tenantId, parkedCallId: 'call-1', data: { place: '7001' } });
  const deliveries = async (webhookId: string, query = '') => (await h.call('GET', `${base}/${webhookId}/deliveries${query}`, { key: t.key })).json();

  beforeEach(async () => {
    h = await startApi({ webhookAllowPrivateNetworks: true }); // the receiver is local
    t = await h.tenant('acme');
    other = await h.tenant('globex');
    base = `/api/v1/tenants/${t.id}/webhooks`;
    sender = newSender();
  });
  afterEach(async () => {
    await sender.stop();
    await h.close();
  });

  it('[A4] delivers events signed with HMAC-SHA256 over the timestamp and the raw body', async () => {
    const rx = await receiver();
    try {
      const created = await h.call('POST', base, { key: t.key, body: { url: rx.url, secret: 'a-shared-secret-of-length' } });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ url: rx.url, events: [], enabled: true, secret: 'a-shared-secret-of-length' });
      publish('parked');
      publish('parked', other.id); // another tenant's event: not delivered here
      expect(await sender.deliverDue()).toBe(1);

      expect(rx.received).toHaveLength(1);
      const [{ headers, body }] = rx.received;
      const event = JSON.parse(body);
      expect(event).toMatchObject({ type: 'parked', tenantId: t.id, parkedCallId: 'call-1', data: { place: '7001' }, id: expect.any(String), at: expect.any(String) });
      expect(headers['content-type']).toBe('application/json');
      expect(headers['x-parking-event']).toBe('parked');
      expect(headers[TIMESTAMP_HEADER]).toBe(String(Math.floor(T0 / 1000)));
      const signature = headers[SIGNATURE_HEADER] as string;
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifyWebhook('a-shared-secret-of-length', headers[TIMESTAMP_HEADER] as string, body, signature)).toBe(true);
      expect(verifyWebhook('another-secret-entirely!', headers[TIMESTAMP_HEADER] as string, body, signature)).toBe(false);
      expect(verifyWebhook('a-shared-secret-of-length', headers[TIMESTAMP_HEADER] as string, `${body} `, signature)).toBe(false);

      const log = await deliveries(created.json().id);
      expect(log).toMatchObject({ total: 1, items: [{ eventType: 'parked', status: 'delivered', attempts: 1, lastError: null, deliveredAt: new Date(T0).toISOString() }] });
      expect(log.items[0].payload).toEqual(event);
    } finally {
      await rx.close();
    }
  });

  it('[A4] retries a failing receiver with exponential backoff, then gives up; the log shows every step', async () => {
    const rx = await receiver([500, 503]);
    try {
      const hook = (await h.call('POST', base, { key: t.key, body: { url: rx.url } })).json();
      expect(hook.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
      publish('recall_started');
      expect(await sender.deliverDue()).toBe(1);
      expect((await deliveries(hook.id)).items[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500', nextAttemptAt: new Date(T0 + 5_000).toISOString() });
      // Not due yet: nothing is sent.
      expect(await sender.deliverDue()).toBe(0);
      h.clock.now = T0 + 5_000;
      expect(await sender.deliverDue()).toBe(1);
      expect((await deliveries(hook.id)).items[0]).toMatchObject({ status: 'pending', attempts: 2, lastError: 'HTTP 503', nextAttemptAt: new Date(T0 + 15_000).toISOString() });
      h.clock.now = T0 + 15_000;
      expect(await sender.deliverDue()).toBe(1);
      expect((await deliveries(hook.id)).items[0]).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
      expect(rx.received).toHaveLength(3);
      // The same event id each time, so receivers can de-duplicate.
      expect(new Set(rx.received.map((r) => JSON.parse(r.body).id)).size).toBe(1);

      // A receiver that is not there at all: failed after maxAttempts (3).
      const gone = await receiver();
      await gone.close();
      const dead = (await h.call('POST', base, { key: t.key, body: { url: gone.url } })).json();
      publish('abandoned');
      for (const at of [0, 5_000, 15_000]) {
        h.clock.now = T0 + 15_000 + at;
        await sender.deliverDue();
      }
      const failed = (await deliveries(dead.id)).items[0];
      expect(failed).toMatchObject({ status: 'failed', attempts: 3, nextAttemptAt: null });
      expect(failed.lastError).toMatch(/ECONNREFUSED|connect/);
      expect((await deliveries(dead.id, '?status=failed')).total).toBe(1);
      expect((await deliveries(dead.id, '?status=delivered')).total).toBe(0);
    } finally {
      await rx.close();
    }
  });

  it('[A4][O5] a restart resumes pending deliveries from the database', async () => {
    const rx = await receiver([500]);
    try {
      const hook = (await h.call('POST', base, { key: t.key, body: { url: rx.url } })).json();
      publish('timed_out');
      await sender.deliverDue();
      await sender.stop();
      // A new process: a new sender, the same database.
      sender = newSender();
      h.clock.now = T0 + 60_000;
      expect(await sender.deliverDue()).toBe(1);
      expect((await deliveries(hook.id)).items[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    } finally {
      await rx.close();
    }
  });

  it('[A4] delivers only the event types a webhook asks for, and nothing while disabled', async () => {
    const rx = await receiver();
    try {
      const hook = (await h.call('POST', base, { key: t.key, body: { url: rx.url, events: ['parked', 'retrieved'] } })).json();
      publish('parked');
      publish('hung_up');
      publish('retrieved');
      await sender.deliverDue();
      expect(rx.received.map((r) => JSON.parse(r.body).type)).toEqual(['parked', 'retrieved']);
      await h.call('PATCH', `${base}/${hook.id}`, { key: t.key, body: { enabled: false } });
      publish('parked');
      await sender.deliverDue();
      expect(rx.received).toHaveLength(2);
      expect((await deliveries(hook.id)).total).toBe(2);
    } finally {
      await rx.close();
    }
  });

  it('[A4][A5] webhook routes: validation, paging, other tenants not found, delete', async () => {
    const bad = await h.call('POST', base, { key: t.key, body: { url: 'ftp://example.com', events: ['exploded'], secret: 'short' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['url', 'events.0', 'secret']));

    const hook = (await h.call('POST', base, { key: t.key, body: { url: 'https://example.com/a' } })).json();
    await h.call('POST', base, { key: t.key, body: { url: 'https://example.com/b', enabled: false } });
    expect((await h.call('GET', `${base}?enabled=true`, { key: t.key })).json()).toMatchObject({ total: 1, items: [{ url: 'https://example.com/a' }] });
    expect((await h.call('GET', `${base}?limit=1&offset=1`, { key: t.key })).json()).toMatchObject({ total: 2, items: [{ url: 'https://example.com/b' }] });

    expect((await h.call('GET', `${base}/${hook.id}`, { key: other.key })).statusCode).toBe(404);
    expect((await h.call('GET', `/api/v1/tenants/${other.id}/webhooks/${hook.id}`, { key: other.key })).statusCode).toBe(404);
    expect((await h.call('GET', `/api/v1/tenants/${other.id}/webhooks/${hook.id}/deliveries`, { key: other.key })).statusCode).toBe(404);
    expect((await h.call('DELETE', `${base}/${hook.id}`, { key: t.key })).statusCode).toBe(204);
    expect((await h.call('GET', `${base}/${hook.id}/deliveries`, { key: t.key })).statusCode).toBe(404);
  });
});
