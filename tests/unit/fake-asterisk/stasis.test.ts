import { ariError, http, nextEvent, startEnv } from './support';
import type { Env } from './support';

describe('fake Asterisk: Stasis, bridges, music and device states through ari-client', () => {
  let env: Env;
  afterEach(async () => {
    await env?.close();
  });

  it('a phone dialling *70333 reaches Stasis(parking,code,acme,*70333) from the real dialplan', async () => {
    env = await startEnv();
    const started = nextEvent(env, 'StasisStart');
    const id = env.fake.dial('101', '*70333');
    const ev = await started;
    expect(ev.args).toEqual(['code', 'acme', '*70333']);
    expect(ev.application).toBe('parking');
    expect(ev.asterisk_id).toBe('02:42:ac:11:00:02');
    expect(ev.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(ev.channel).toMatchObject({
      id,
      name: expect.stringMatching(/^PJSIP\/101-[0-9a-f]{8}$/),
      state: 'Ring',
      caller: { name: 'Phone 101', number: '101' },
      connected: { name: '', number: '' },
      accountcode: '',
      dialplan: { context: 'from-acme', exten: '*70333', priority: 1, app_name: 'Stasis', app_data: 'parking,code,acme,*70333' },
      language: 'en',
      channelvars: { BLINDTRANSFER: '', PARK_PEER: '' },
    });
    expect(ev.channel.id).toMatch(/^\d+\.\d+$/);
    const app = await env.client.applications.get({ applicationName: 'parking' });
    expect(app.channel_ids).toEqual([id]);
    const ep = await env.client.endpoints.get({ tech: 'PJSIP', resource: '101' });
    expect(ep).toMatchObject({ technology: 'PJSIP', resource: '101', state: 'online', channel_ids: [id] });
  });

  it('answer, holding bridge, addChannel, music on hold and a BLF device state', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const id = fake.dial('101', '*70333');
    await nextEvent(env, 'StasisStart');

    const up = nextEvent(env, 'ChannelStateChange', (e) => e.channel.id === id && e.channel.state === 'Up');
    await client.channels.answer({ channelId: id });
    await up;

    const bridge = await client.bridges.createWithId({ bridgeId: 'park-acme-lot', type: 'holding', name: 'acme' });
    expect(bridge).toMatchObject({ id: 'park-acme-lot', technology: 'holding_bridge', bridge_type: 'holding', bridge_class: 'stasis', creator: 'Stasis', name: 'acme', channels: [], video_mode: 'talker' });
    const entered = nextEvent(env, 'ChannelEnteredBridge', (e) => e.channel.id === id);
    await client.bridges.addChannel({ bridgeId: 'park-acme-lot', channel: [id] });
    expect((await entered).bridge.channels).toEqual([id]);
    expect(fake.bridgeOf(id)?.id).toBe('park-acme-lot');
    expect(fake.mohOf(id)).toBeNull(); // ARI holding bridges are silent
    await client.channels.startMoh({ channelId: id, mohClass: 'acme' });
    expect(fake.mohOf(id)).toBe('acme');

    // BLF: the hint follows the Stasis device state; DeviceStateChanged for subscribed devices.
    expect(fake.hintState('7001@parking-acme')).toBe('Idle');
    await client.applications.subscribe({ applicationName: 'parking', eventSource: 'deviceState:Stasis:park-acme-7001' });
    const changed = nextEvent(env, 'DeviceStateChanged');
    await client.deviceStates.update({ deviceName: 'Stasis:park-acme-7001', deviceState: 'INUSE' });
    expect((await changed).device_state).toEqual({ name: 'Stasis:park-acme-7001', state: 'INUSE' });
    expect(fake.deviceState('Stasis:park-acme-7001')).toBe('INUSE');
    expect(fake.hintState('7001@parking-acme')).toBe('InUse');
    expect(await client.deviceStates.list()).toEqual([expect.objectContaining({ name: 'Stasis:park-acme-7001', state: 'INUSE' })]);
    // The same state again publishes nothing (aggregate unchanged).
    await client.deviceStates.update({ deviceName: 'Stasis:park-acme-7001', deviceState: 'INUSE' });
    await client.deviceStates.update({ deviceName: 'Stasis:park-acme-7001', deviceState: 'NOT_INUSE' });
    await fake.waitFor(() => env.received.filter((e) => e.type === 'DeviceStateChanged').length === 2);
    expect(env.received.filter((e) => e.type === 'DeviceStateChanged').map((e) => e.device_state.state)).toEqual(['INUSE', 'NOT_INUSE']);

    // The caller hangs up: ChannelHangupRequest, ChannelLeftBridge, StasisEnd (and no
    // ChannelDestroyed: a dialplan channel's only subscription ends with StasisEnd).
    const since = env.received.length;
    const ended = nextEvent(env, 'StasisEnd', (e) => e.channel.id === id, 2000, since);
    fake.hangup(id);
    await ended;
    expect(env.received.slice(since).map((e) => e.type)).toEqual(['ChannelHangupRequest', 'ChannelLeftBridge', 'StasisEnd']);
    expect(env.received[since]).toMatchObject({ cause: 16 });
    expect(await client.channels.list()).toEqual([]);
    const after = await client.bridges.get({ bridgeId: 'park-acme-lot' });
    expect(after.channels).toEqual([]);
  });

  it('refuses like Asterisk: 422 adding a non-Stasis channel, 409 device without Stasis:, 409/412 on channels', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const call = fake.call('101', '102');
    await client.bridges.createWithId({ bridgeId: 'b1', type: 'mixing' });

    let r = await http(fake, 'POST', `/ari/bridges/b1/addChannel?channel=${call.calleeChannelId}`);
    expect(r).toMatchObject({ status: 422, body: { message: 'Channel not in Stasis application' } });
    r = await http(fake, 'POST', '/ari/bridges/b1/addChannel?channel=nope');
    expect(r).toMatchObject({ status: 400, body: { message: 'Channel not found' } });
    r = await http(fake, 'POST', '/ari/bridges/b1/addChannel');
    expect(r).toMatchObject({ status: 400, body: { message: 'Missing parameter channel' } });
    r = await http(fake, 'POST', `/ari/bridges/nope/addChannel?channel=${call.calleeChannelId}`);
    expect(r).toMatchObject({ status: 404, body: { message: 'Bridge not found' } });
    // Dial()'s basic bridge is listed but is not ARI's to control.
    const bridges = await client.bridges.list();
    expect(bridges.map((b: { bridge_class: string }) => b.bridge_class).sort()).toEqual(['basic', 'stasis']);
    r = await http(fake, 'DELETE', `/ari/bridges/${call.bridgeId}`);
    expect(r).toMatchObject({ status: 409, body: { message: 'Bridge not in Stasis application' } });

    r = await http(fake, 'PUT', '/ari/deviceStates/park-acme-7001?deviceState=INUSE');
    expect(r).toMatchObject({ status: 409, body: { message: 'Uncontrolled device specified' } });
    r = await http(fake, 'PUT', '/ari/deviceStates/Stasis:?deviceState=INUSE');
    expect(r).toMatchObject({ status: 404, body: { message: 'Device name is missing' } });
    r = await http(fake, 'PUT', '/ari/deviceStates/Stasis:x?deviceState=BOGUS');
    expect(r).toMatchObject({ status: 500, body: { message: 'Unknown device' } });

    for (const op of ['answer', 'continue', 'moh', 'play?media=sound:x']) {
      r = await http(fake, 'POST', `/ari/channels/${call.calleeChannelId}/${op}`);
      expect(r).toMatchObject({ status: 409, body: { message: 'Channel not in Stasis application' } });
    }
    r = await http(fake, 'POST', '/ari/channels/nope/answer');
    expect(r).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
    // By name the channel exists, but Stasis controls are found by uniqueid only: 409.
    r = await http(fake, 'POST', `/ari/channels/${encodeURIComponent(fake.channel(call.calleeChannelId)!.name)}/answer`);
    expect(r.status).toBe(409);
    r = await http(fake, 'DELETE', `/ari/channels/${call.calleeChannelId}?reason=bogus`);
    expect(r).toMatchObject({ status: 400, body: { message: 'Invalid reason for hangup reason provided' } });

    // A channel created by ARI and not dialed yet is Down: media operations get 412.
    const created = await client.channels.create({ endpoint: 'PJSIP/201', app: 'parking', channelId: 'c1' });
    expect(created.state).toBe('Down');
    await nextEvent(env, 'StasisStart', (e) => e.channel.id === 'c1');
    r = await http(fake, 'POST', '/ari/channels/c1/answer');
    expect(r).toMatchObject({ status: 412, body: { message: 'Channel in invalid state' } });
    r = await http(fake, 'POST', '/ari/channels/c1?endpoint=PJSIP/201&app=parking');
    expect(r).toMatchObject({ status: 409, body: { message: 'Channel with given unique ID already exists' } });
    expect(await ariError(client.bridges.createWithId({ bridgeId: 'b1' }))).toEqual({ message: "Bridge with id 'b1' already exists" });
  });

  it('continue leaves Stasis (StasisEnd) and the dialplan goes on: STASISSTATUS=FAILED path too', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const id = fake.dial('101', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.channels.answer({ channelId: id });
    await client.channels.setChannelVar({ channelId: id, variable: 'PARK_PEER', value: 'PJSIP/102-00000009' });
    const varset = await nextEvent(env, 'ChannelVarset', (e) => e.variable === 'PARK_PEER');
    expect(varset).toMatchObject({ value: 'PJSIP/102-00000009', channel: { channelvars: { PARK_PEER: 'PJSIP/102-00000009' } } });
    expect((await client.channels.getChannelVar({ channelId: id, variable: 'PARK_PEER' })).value).toBe('PJSIP/102-00000009');
    expect(await ariError(client.channels.getChannelVar({ channelId: id, variable: 'NOPE' }))).toEqual({ message: 'Provided variable was not found' });

    const ended = nextEvent(env, 'StasisEnd');
    await client.channels.continueInDialplan({ channelId: id, context: 'parking-fallback', extension: 'park', priority: 1 });
    await ended;
    // parking-fallback,park: Park(default) -> res_parking's lot bridge (listed, not ARI's).
    await fake.waitFor(() => fake.bridgeOf(id)?.bridge_class === 'parking');
    expect(fake.bridgeOf(id)).toMatchObject({ bridge_type: 'holding', creator: 'Parking', name: 'default' });
    expect(fake.channelVar(id, 'STASISSTATUS')).toBe('SUCCESS');
    expect(fake.channelVar(id, 'PARKINGSLOT')).toBe('701');
    expect(fake.mohOf(id)).toBe('default');

    // The retrieve fallback connects the oldest parked call.
    const retriever = fake.dial('201', '*71');
    fake.dropWebSocket({ refuse: true }); // make *71's Stasis() fail -> ParkedCall(default)
    await fake.waitFor(() => fake.bridgedWith(id).includes(retriever));
    expect(fake.channel(retriever)?.state).toBe('Up');
    expect(fake.channelVar(retriever, 'STASISSTATUS')).toBe('FAILED');
  });
});
