import WebSocket from 'ws';
import { http, nextEvent, startEnv } from './support';
import type { Env } from './support';

describe('fake Asterisk: more ARI details', () => {
  let env: Env;
  afterEach(async () => {
    await env?.close();
  });

  it('channels/create then dial: StasisStart while Down, then Dial events and Up; ChannelDestroyed after continue', async () => {
    env = await startEnv();
    const { client, fake } = env;
    await client.channels.create({ endpoint: 'PJSIP/102', app: 'parking', appArgs: 'recall,acme', channelId: 'cr1' });
    const start = await nextEvent(env, 'StasisStart', (e) => e.channel.id === 'cr1');
    expect(start).toMatchObject({ args: ['recall', 'acme'], channel: { state: 'Down' } });
    expect(fake.phone('102').invites).toHaveLength(0);
    await client.channels.dial({ channelId: 'cr1', timeout: 10 });
    const answered = await nextEvent(env, 'Dial', (e) => e.peer.id === 'cr1' && e.dialstatus === 'ANSWER');
    expect(answered.peer.state).toBe('Up');
    expect(fake.phone('102').invites).toHaveLength(1);
    // Dialing twice is refused.
    expect((await http(fake, 'POST', '/ari/channels/cr1/dial')).status).toBe(409);
    // Created with app: the channel stays subscribed after StasisEnd, so the app sees the
    // dialplan (ChannelDialplan) and ChannelDestroyed with the cause Hangup() set.
    fake.loadDialplan('[test-out]\nexten => bye,1,NoOp(leaving)\n same => n,Hangup(21)\n');
    await client.channels.continueInDialplan({ channelId: 'cr1', context: 'test-out', extension: 'bye', priority: 1 });
    const destroyed = await nextEvent(env, 'ChannelDestroyed', (e) => e.channel.id === 'cr1');
    expect(destroyed).toMatchObject({ cause: 21, cause_txt: 'Call Rejected' });
    const seq = env.received.filter((e) => e.channel?.id === 'cr1').map((e) => e.type + (e.dialplan_app ? `(${e.dialplan_app})` : ''));
    expect(seq.slice(-5)).toEqual(['StasisEnd', 'ChannelDialplan(NoOp)', 'ChannelDialplan(Hangup)', 'ChannelHangupRequest', 'ChannelDestroyed']);
  });

  it('originate with an extension runs the dialplan once the phone answers', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const started = nextEvent(env, 'StasisStart');
    await client.channels.originate({ endpoint: 'PJSIP/102', context: 'parking-acme', extension: '*71333', callerId: 'Recall <7001>' });
    const ev = await started;
    expect(ev.args).toEqual(['code', 'acme', '*71333']);
    expect(ev.channel).toMatchObject({ state: 'Up', caller: { name: 'Recall', number: '7001' }, dialplan: { context: 'parking-acme', exten: '*71333' } });
    expect(fake.phone('102').invites[0].callerId).toEqual({ name: 'Recall', number: '7001' });
  });

  it('subscriptions: channel, bridge and subscribeAll; BridgeDestroyed while channels are in the bridge', async () => {
    env = await startEnv({ subscribeAll: true });
    const { client, fake } = env;
    const call = fake.call('101', '102');
    // subscribeAll sees channels outside Stasis too.
    await nextEvent(env, 'ChannelCreated', (e) => e.channel.id === call.calleeChannelId);
    await nextEvent(env, 'ChannelEnteredBridge', (e) => e.bridge.id === call.bridgeId);
    const id = fake.dial('201', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.channels.answer({ channelId: id });
    await client.bridges.createWithId({ bridgeId: 'x', type: 'mixing' });
    await client.bridges.addChannel({ bridgeId: 'x', channel: id });
    const destroyed = nextEvent(env, 'BridgeDestroyed', (e) => e.bridge.id === 'x');
    await client.bridges.destroy({ bridgeId: 'x' });
    await destroyed;
    expect(fake.stasisOf(id)).not.toBeNull(); // kicked out, still in Stasis

    const app = await client.applications.subscribe({ applicationName: 'parking', eventSource: [`channel:${call.callerChannelId}`, 'endpoint:PJSIP/101'] });
    expect(app.channel_ids).toEqual(expect.arrayContaining([id, call.callerChannelId]));
    expect(app.endpoint_ids).toEqual(['PJSIP/101']);
    expect((await http(fake, 'POST', '/ari/applications/parking/subscription?eventSource=channel:nope')).status).toBe(422);
    expect((await http(fake, 'POST', '/ari/applications/parking/subscription?eventSource=foo:bar')).status).toBe(400);
    expect((await http(fake, 'POST', '/ari/applications/nope/subscription?eventSource=channel:x')).status).toBe(404);
  });

  it('parameters: comma lists, the last repeated parameter wins, and JSON bodies may carry query parameters', async () => {
    env = await startEnv({ playbackMode: 'manual' });
    const { client, fake } = env;
    const id = fake.dial('101', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.channels.answer({ channelId: id });
    let r = await http(fake, 'POST', `/ari/channels/${id}/play/p1?media=sound:beep&media=sound:beeperr`);
    expect(r.status).toBe(201);
    expect(fake.playbacks().find((p) => p.id === 'p1')!.medias).toEqual(['sound:beeperr']);
    r = await http(fake, 'POST', `/ari/channels/${id}/play/p2`, { media: ['sound:auth-thankyou', 'digits:12'] });
    expect(r.status).toBe(201);
    expect(fake.playbacks().find((p) => p.id === 'p2')!.medias).toEqual(['sound:auth-thankyou', 'digits:12']);
    // Setting a variable is a synchronous control command: it waits for the playbacks
    // occupying the channel's control thread (p1 playing, p2 queued behind it).
    let settled = false;
    const setVar = http(fake, 'POST', `/ari/channels/${id}/variable`, { variable: 'PARK_PEER', value: 'v' }).then((res) => {
      settled = true;
      return res;
    });
    await nextEvent(env, 'PlaybackStarted', (e) => e.playback.id === 'p1');
    await fake.waitFor(() => fake.requests.some((q) => q.method === 'POST' && q.path.endsWith('/variable')));
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    fake.finishPlayback('p1');
    await nextEvent(env, 'PlaybackStarted', (e) => e.playback.id === 'p2');
    fake.finishPlayback('p2');
    expect((await setVar).status).toBe(204);
    expect(fake.channelVar(id, 'PARK_PEER')).toBe('v');
    const bad = await fetch(`${fake.url}/ari/channels`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + Buffer.from('parking:parking').toString('base64') },
      body: '{not json',
    }).then(async (res) => ({ status: res.status, body: await res.json() }));
    expect(bad).toEqual({ status: 400, body: { message: 'Error parsing request body' } });
    expect((await http(fake, 'GET', '/ari/events?app=parking')).status).toBe(426);
  });

  it('answers REST requests sent over the events WebSocket (RESTRequest/RESTResponse)', async () => {
    env = await startEnv({ connect: false });
    const { fake } = env;
    const ws = new WebSocket(`${fake.url.replace('http', 'ws')}/ari/events?app=other&api_key=parking:parking`);
    await new Promise((resolve) => ws.once('open', resolve));
    const reply = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (m) => resolve(JSON.parse(m.toString()))));
    ws.send(JSON.stringify({ type: 'RESTRequest', transaction_id: 't1', request_id: 'r1', method: 'PUT', uri: 'deviceStates/Stasis:x?deviceState=BUSY' }));
    expect(await reply).toMatchObject({ type: 'RESTResponse', transaction_id: 't1', request_id: 'r1', status_code: 204 });
    expect(fake.deviceState('Stasis:x')).toBe('BUSY');
    ws.close();
  });
});
