import { http, nextEvent, startEnv } from './support';
import type { Env } from './support';

describe('fake Asterisk: lost WebSocket and restart', () => {
  let env: Env;
  afterEach(async () => {
    await env?.close();
  });

  it('without a WebSocket Stasis() fails (STASISSTATUS=FAILED) and the dialplan falls back to Park(); channels already in Stasis stay', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const inStasis = fake.dial('201', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.channels.answer({ channelId: inStasis });
    await client.bridges.createWithId({ bridgeId: 'lot', type: 'holding' });
    await client.bridges.addChannel({ bridgeId: 'lot', channel: inStasis });

    fake.dropWebSocket({ refuse: true });
    expect(fake.apps()).toEqual([{ name: 'parking', active: false, channels: 1, bridges: 1 }]);
    const id = fake.dial('101', '*70333');
    await fake.waitFor(() => fake.bridgeOf(id)?.bridge_class === 'parking', 2000, 'caller parked by res_parking');
    expect(fake.channelVar(id, 'STASISSTATUS')).toBe('FAILED');
    expect(fake.channel(id)?.state).toBe('Up');
    // The earlier channel is still in Stasis and in its bridge; events in the gap are lost.
    expect(fake.stasisOf(inStasis)).toEqual({ app: 'parking', args: ['code', 'acme', '*70333'] });
    expect(fake.bridgeOf(inStasis)?.id).toBe('lot');
    fake.hangup(inStasis);
    expect(fake.events.filter((e) => e.event.type === 'StasisEnd')).toMatchObject([{ delivered: false }]);

    // Back: the service reconnects and finds the parked call with GET /bridges.
    const reconnected = new Promise<void>((resolve) => env.client.once('WebSocketConnected', () => resolve()));
    fake.restoreWebSocket();
    await reconnected;
    await fake.waitFor(() => fake.apps()[0]?.active === true);
    const bridges = await client.bridges.list();
    expect(bridges.find((b: { bridge_class: string }) => b.bridge_class === 'parking').channels).toEqual([id]);
    expect(bridges.find((b: { id: string }) => b.id === 'lot').channels).toEqual([]);
  });

  it('restart: channels and bridges vanish without events, HTTP is refused while down, device states survive', async () => {
    env = await startEnv();
    const { client, fake } = env;
    await client.deviceStates.update({ deviceName: 'Stasis:park-acme-7001', deviceState: 'INUSE' });
    const id = fake.dial('101', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.bridges.createWithId({ bridgeId: 'lot', type: 'holding' });
    await client.bridges.addChannel({ bridgeId: 'lot', channel: id });
    const before = env.received.length;

    await fake.goDown();
    await expect(fetch(`${fake.url}/ari/asterisk/ping`)).rejects.toThrow();
    expect(fake.channels()).toEqual([]);
    await fake.comeUp();
    await new Promise<void>((resolve) => env.client.once('WebSocketConnected', () => resolve()));

    expect(await client.channels.list()).toEqual([]);
    expect(await client.bridges.list()).toEqual([]);
    expect(await client.deviceStates.list()).toEqual([expect.objectContaining({ name: 'Stasis:park-acme-7001', state: 'INUSE' })]);
    expect(fake.hintState('7001@parking-acme')).toBe('InUse');
    // Nothing was sent for the vanished channel and bridge.
    expect(env.received.slice(before).map((e) => e.type)).toEqual([]);
    const r = await http(fake, 'GET', '/ari/channels');
    expect(r.status).toBe(200);
  });

  it('the control API is reachable over HTTP for another process', async () => {
    env = await startEnv();
    const { fake } = env;
    const dial = await fetch(`${fake.url}/_fake/dial`, { method: 'POST', body: JSON.stringify({ from: '101', exten: '*70333' }), headers: { 'Content-Type': 'application/json' } });
    const { channelId } = (await dial.json()) as { channelId: string };
    await nextEvent(env, 'StasisStart');
    const ch = (await (await fetch(`${fake.url}/_fake/channels/${channelId}`)).json()) as { stasis: { app: string } };
    expect(ch.stasis.app).toBe('parking');
    await fetch(`${fake.url}/_fake/channels/${channelId}/hangup`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    await nextEvent(env, 'StasisEnd');
    const stats = (await (await fetch(`${fake.url}/_fake/stats`)).json()) as { channels: number; requestCount: number };
    expect(stats.channels).toBe(0);
    expect(stats.requestCount).toBeGreaterThan(0);
  });
});
