import { FakeAsterisk } from '../../support/fake-asterisk';
import { ariError, http, nextEvent, startEnv } from './support';
import type { Env } from './support';

describe('fake Asterisk: api-docs, auth and the events WebSocket through ari-client', () => {
  let env: Env;
  afterEach(async () => {
    await env?.close();
  });

  it('serves api-docs that ari-client loads, with the operations the service uses', async () => {
    env = await startEnv();
    const { client } = env;
    for (const op of ['list', 'get', 'originate', 'originateWithId', 'create', 'dial', 'hangup', 'answer', 'ring', 'ringStop',
      'continueInDialplan', 'move', 'startMoh', 'stopMoh', 'startSilence', 'play', 'playWithId', 'getChannelVar',
      'setChannelVar', 'sendDTMF', 'hold', 'unhold']) {
      expect(typeof client.channels[op]).toBe('function');
    }
    for (const op of ['list', 'create', 'createWithId', 'get', 'destroy', 'addChannel', 'removeChannel', 'startMoh', 'stopMoh', 'play']) {
      expect(typeof client.bridges[op]).toBe('function');
    }
    expect(typeof client.deviceStates.update).toBe('function');
    expect(typeof client.endpoints.sendMessage).toBe('function');
    expect(typeof client.endpoints.sendMessageToEndpoint).toBe('function');
    expect(typeof client.playbacks.stop).toBe('function');
    expect(typeof client.applications.subscribe).toBe('function');

    const info = await client.asterisk.getInfo();
    expect(info.system.version).toBe('22.10.1');
    const ping = await client.asterisk.ping();
    expect(ping.ping).toBe('pong');

    const docs = await http(env.fake, 'GET', '/ari/api-docs/resources.json');
    expect(docs.body.basePath).toBe(`http://127.0.0.1:${env.fake.port}/ari`);
    expect(docs.body.apis.map((a: { path: string }) => a.path)).toContain('/api-docs/channels.{format}');
  });

  it('requires credentials: basic auth or api_key, else 401 with the ARI body', async () => {
    env = await startEnv({ connect: false });
    const noAuth = await http(env.fake, 'GET', '/ari/channels', undefined, false);
    expect(noAuth.status).toBe(401);
    expect(noAuth.body).toEqual({ message: 'Authentication required' });
    expect(noAuth.headers.get('www-authenticate')).toBe('Basic realm="Asterisk REST Interface"');
    const apiKey = await http(env.fake, 'GET', `/ari/channels?api_key=${env.fake.username}:${env.fake.password}`, undefined, false);
    expect(apiKey.status).toBe(200);
    expect(apiKey.body).toEqual([]);
    expect((await http(env.fake, 'GET', '/ari/channels/')).body).toEqual({
      message: 'ARI URLs do not end with a slash. Try /ari/channels',
    });
    expect((await http(env.fake, 'GET', '/ari/nothing')).status).toBe(404);
    const wrong = await http(env.fake, 'PUT', '/ari/channels');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('OPTIONS,GET,POST');
  });

  it('registers the app over the WebSocket, and a second WebSocket replaces the first (ApplicationReplaced)', async () => {
    env = await startEnv();
    const apps = await env.client.applications.list();
    expect(apps.map((a: { name: string }) => a.name)).toEqual(['parking']);
    const app = await env.client.applications.get({ applicationName: 'parking' });
    expect({ ...app, _client: undefined }).toMatchObject({
      name: 'parking',
      channel_ids: [],
      bridge_ids: [],
      endpoint_ids: [],
      device_names: [],
      events_allowed: [],
      events_disallowed: [],
    });

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ari = require('ari-client');
    const second = await ari.connect(env.fake.url, env.fake.username, env.fake.password);
    const replaced = nextEvent(env, 'ApplicationReplaced');
    await second.start('parking');
    const ev = await replaced;
    expect(ev.application).toBe('parking');
    expect(ev.asterisk_id).toBe('02:42:ac:11:00:02');
    // The new owner gets the events now.
    const started = new Promise<{ args: string[] }>((resolve) => second.on('StasisStart', (e: { args: string[] }) => resolve(e)));
    env.fake.dial('101', '*70333');
    expect((await started).args).toEqual(['code', 'acme', '*70333']);
    expect(env.received.filter((e) => e.type === 'StasisStart')).toHaveLength(0);
    second.stop();
  });

  it('ari-client errors carry the raw ARI error body', async () => {
    env = await startEnv();
    expect(await ariError(env.client.channels.get({ channelId: 'nope' }))).toEqual({ message: 'Channel not found' });
    expect(await ariError(env.client.bridges.destroy({ bridgeId: 'nope' }))).toEqual({ message: 'Bridge not found' });
    expect(await ariError(env.client.playbacks.get({ playbackId: 'nope' }))).toEqual({ message: 'Playback not found' });
    expect(await ariError(env.client.endpoints.get({ tech: 'PJSIP', resource: '999' }))).toEqual({ message: 'Endpoint not found' });
  });
});

describe('fake Asterisk: HTTP sessions', () => {
  it('counts keep-alive sessions and closes connections beyond sessionLimit without answering', async () => {
    const fake = await FakeAsterisk.start({ sessionLimit: 2 });
    try {
      const { Agent, request } = await import('node:http');
      const agent = new Agent({ keepAlive: true, maxSockets: 10 });
      const get = () =>
        new Promise<number>((resolve, reject) => {
          const req = request(`${fake.url}/ari/asterisk/ping`, { agent, auth: 'parking:parking' }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        });
      expect(await Promise.all([get(), get()])).toEqual([200, 200]);
      await fake.waitFor(() => fake.stats.httpSessions === 2);
      // Both keep-alive sockets are open and counted: a third connection is dropped.
      const third = new Agent({ keepAlive: false });
      const refused = await new Promise<string>((resolve) => {
        const req = request(`${fake.url}/ari/asterisk/ping`, { agent: third, auth: 'parking:parking' }, () => resolve('answered'));
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        req.end();
      });
      expect(['ECONNRESET', 'socket hang up']).toContain(refused);
      expect(fake.stats.rejectedSessions).toBe(1);
      // The kept-alive sockets are reused.
      expect(await get()).toBe(200);
      agent.destroy();
      third.destroy();
    } finally {
      await fake.stop();
    }
  });
});
