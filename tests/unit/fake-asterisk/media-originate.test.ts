import { ariError, http, nextEvent, startEnv } from './support';
import type { Env } from './support';

describe('fake Asterisk: playbacks and DTMF', () => {
  let env: Env;
  afterEach(async () => {
    await env?.close();
  });

  it('plays a list with digits, gets DTMF during playback, and stops it (manual playback mode)', async () => {
    env = await startEnv({ playbackMode: 'manual' });
    const { client, fake } = env;
    const id = fake.dial('101', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.channels.answer({ channelId: id });
    await client.channels.startMoh({ channelId: id });
    expect(fake.mohOf(id)).toBe('default');

    const pb = await client.channels.playWithId({ channelId: id, playbackId: 'pb1', media: ['sound:to-call-this-number', 'digits:7001'] });
    expect(pb).toMatchObject({ id: 'pb1', media_uri: 'sound:to-call-this-number', next_media_uri: 'digits:7001', target_uri: `channel:${id}`, language: 'en', state: 'queued' });
    const started = await nextEvent(env, 'PlaybackStarted');
    expect(started.playback).toMatchObject({ id: 'pb1', media_uri: 'sound:to-call-this-number', state: 'playing' });
    // A playback stops the channel's music; it does not come back by itself.
    expect(fake.mohOf(id)).toBeNull();

    const dtmf = nextEvent(env, 'ChannelDtmfReceived', (e) => e.digit === '5');
    fake.sendDtmf(id, '#5');
    expect(await dtmf).toMatchObject({ digit: '5', duration_ms: 100, channel: { id } });
    expect(env.received.filter((e) => e.type === 'ChannelDtmfReceived').map((e) => e.digit)).toEqual(['#', '5']);

    // While the playback runs, async commands wait for it (continue is answered 204 at once).
    const finished = nextEvent(env, 'PlaybackFinished');
    await client.playbacks.stop({ playbackId: 'pb1' });
    expect((await finished).playback).toMatchObject({ id: 'pb1', media_uri: 'sound:to-call-this-number', state: 'done' });
    expect(await ariError(client.playbacks.get({ playbackId: 'pb1' }))).toEqual({ message: 'Playback not found' });
  });

  it('a digits: item cannot be stopped (500) until something stoppable played; lists continue item by item', async () => {
    env = await startEnv({ playbackMode: 'manual' });
    const { client, fake } = env;
    const id = fake.dial('101', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.channels.answer({ channelId: id });
    await client.channels.play({ channelId: id, playbackId: 'd1', media: 'digits:7001' });
    await nextEvent(env, 'PlaybackStarted');
    const r = await http(fake, 'DELETE', '/ari/playbacks/d1');
    expect(r).toMatchObject({ status: 500, body: { message: 'Could not stop playback' } });
    fake.finishPlayback('d1');
    await nextEvent(env, 'PlaybackFinished');

    await client.channels.play({ channelId: id, playbackId: 'l1', media: ['sound:beep', 'sound:beeperr'] });
    await nextEvent(env, 'PlaybackStarted', (e) => e.playback.id === 'l1');
    // The continue is queued behind the playback (control thread busy).
    await client.channels.continueInDialplan({ channelId: id, context: 'parking-fallback', extension: 'park', priority: 1 });
    expect(fake.stasisOf(id)).not.toBeNull();
    fake.finishPlaybackItem('l1');
    await nextEvent(env, 'PlaybackContinuing', (e) => e.playback.id === 'l1');
    fake.finishPlaybackItem('l1');
    const fin = await nextEvent(env, 'PlaybackFinished', (e) => e.playback.id === 'l1');
    expect(fin.playback).toMatchObject({ media_uri: 'sound:beeperr', state: 'done' });
    await nextEvent(env, 'StasisEnd');
    const seq = env.received.filter((e) => e.playback?.id === 'l1').map((e) => `${e.type}:${e.playback.media_uri}`);
    expect(seq).toEqual(['PlaybackStarted:sound:beep', 'PlaybackContinuing:sound:beep', 'PlaybackStarted:sound:beeperr', 'PlaybackFinished:sound:beeperr']);
  });

  it('a sound that is not installed: nothing heard, the list goes on, a last missing item ends "failed"; /sounds answers like Asterisk', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const id = fake.dial('101', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.channels.answer({ channelId: id });
    await client.channels.play({ channelId: id, playbackId: 'm1', media: ['sound:parked', 'digits:7', 'sound:at'] });
    const fin = await nextEvent(env, 'PlaybackFinished', (e) => e.playback.id === 'm1');
    expect(fin.playback).toMatchObject({ media_uri: 'sound:at', state: 'failed' });
    const seq = env.received.filter((e) => e.playback?.id === 'm1').map((e) => `${e.type}:${e.playback.media_uri}:${e.playback.state}`);
    expect(seq).toEqual([
      'PlaybackStarted:sound:parked:playing',
      'PlaybackContinuing:sound:parked:continuing',
      'PlaybackStarted:digits:7:playing',
      'PlaybackContinuing:digits:7:continuing',
      'PlaybackStarted:sound:at:playing',
      'PlaybackFinished:sound:at:failed',
    ]);
    expect(fake.playbacks().find((p) => p.id === 'm1')!.missing).toEqual(['sound:parked', 'sound:at']);
    expect(fake.warnings).toEqual(expect.arrayContaining(['File parked does not exist in any format']));

    expect(await http(fake, 'GET', '/ari/sounds/vm-goodbye')).toMatchObject({ status: 200, body: { id: 'vm-goodbye', text: 'Goodbye', formats: [{ language: 'en', format: 'gsm' }] } });
    expect(await client.sounds.get({ soundId: 'vm-goodbye' })).toMatchObject({ id: 'vm-goodbye' });
    expect(await http(fake, 'GET', '/ari/sounds/parked')).toMatchObject({ status: 404, body: { message: 'Sound not found' } });
    const all = (await client.sounds.list()) as Array<{ id: string }>;
    expect(all.map((s) => s.id)).toEqual(expect.arrayContaining(['pbx-invalidpark', 'digits/7', 'to-call-this-number']));
    expect(all).toHaveLength(568);
  });

  it('modules: GET /asterisk/modules/{name} finds running modules only; without res_parking, Park() is unknown', async () => {
    env = await startEnv();
    const { client, fake } = env;
    expect(await client.asterisk.getModule({ moduleName: 'res_parking.so' })).toMatchObject({ name: 'res_parking.so', status: 'Running' });
    fake.setModuleLoaded('res_parking.so', false);
    expect(await http(fake, 'GET', '/ari/asterisk/modules/res_parking.so')).toMatchObject({
      status: 404,
      body: { message: 'Module could not be found in running modules' },
    });
    fake.loadDialplan('[t]\nexten => p,1,Set(M=${IFMODULE(res_parking.so)})\n same => n,Park(default)\n same => n,Set(AFTER=1)');
    fake.addPhone({ number: '150', context: 't' });
    const id = fake.dial('150', 'p');
    await fake.waitFor(() => fake.channel(id) === undefined);
    expect(fake.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^No application 'Park'/)]));
  });

  it('hanging up during an announcement: PlaybackFinished before StasisEnd', async () => {
    env = await startEnv({ playbackMode: 'manual' });
    const { client, fake } = env;
    const id = fake.dial('101', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.channels.answer({ channelId: id });
    await client.channels.play({ channelId: id, media: 'sound:to-call-this-number' });
    await nextEvent(env, 'PlaybackStarted');
    const since = env.received.length;
    fake.hangup(id);
    await nextEvent(env, 'StasisEnd', () => true, 2000, since);
    expect(env.received.slice(since).map((e) => e.type)).toEqual(['ChannelHangupRequest', 'PlaybackFinished', 'StasisEnd']);
  });
});

describe('fake Asterisk: originating calls to phones', () => {
  let env: Env;
  afterEach(async () => {
    await env?.close();
  });

  it('busy: ChannelDestroyed cause 17 with tech_cause 486; the INVITE carried the Alert-Info header', async () => {
    env = await startEnv();
    const { client, fake } = env;
    fake.addPhone({ number: '104', context: 'from-acme', behavior: 'busy' });
    const ch = await client.channels.originateWithId({
      channelId: 'recall-1',
      endpoint: 'PJSIP/104',
      app: 'parking',
      appArgs: 'recall,acme,7001',
      callerId: '"Park 7001: Phone 102" <102>',
      timeout: 20,
      variables: { 'PJSIP_HEADER(add,Alert-Info)': '<urn:alert:tone:internal>', RECALL_OF: '7001' },
    });
    expect(ch).toMatchObject({ id: 'recall-1', state: 'Down', caller: { name: 'Park 7001: Phone 102', number: '102' } });
    const destroyed = await nextEvent(env, 'ChannelDestroyed', (e) => e.channel.id === 'recall-1');
    expect(destroyed).toMatchObject({ cause: 17, cause_txt: 'User busy', tech_cause: 486 });
    const invite = fake.phone('104').invites[0];
    expect(invite).toMatchObject({
      channelId: 'recall-1',
      callerId: { name: 'Park 7001: Phone 102', number: '102' },
      headers: { 'Alert-Info': '<urn:alert:tone:internal>' },
      variables: { RECALL_OF: '7001' },
    });
    const types = env.received.filter((e) => e.channel?.id === 'recall-1' || e.peer?.id === 'recall-1').map((e) => e.type + (e.dialstatus !== undefined ? `(${e.dialstatus})` : ''));
    expect(types).toEqual(['Dial()', 'ChannelHangupRequest', 'Dial(BUSY)', 'ChannelDestroyed']);
  });

  it('no answer: ringing until the timeout (expireRinging) then cause 19; manual answer enters Stasis with the args', async () => {
    env = await startEnv();
    const { client, fake } = env;
    fake.addPhone({ number: '105', context: 'from-acme', behavior: 'noanswer' });
    fake.addPhone({ number: '106', context: 'from-acme', behavior: 'manual' });
    await client.channels.originateWithId({ channelId: 'r1', endpoint: 'PJSIP/105', app: 'parking', appArgs: 'recall', timeout: 30 });
    await nextEvent(env, 'ChannelStateChange', (e) => e.channel.id === 'r1' && e.channel.state === 'Ringing');
    expect(fake.deviceState('PJSIP/105')).toBe('RINGING');
    fake.expireRinging('r1');
    expect(await nextEvent(env, 'ChannelDestroyed', (e) => e.channel.id === 'r1')).toMatchObject({ cause: 19, cause_txt: 'User alerting, no answer' });

    await client.channels.originateWithId({ channelId: 'r2', endpoint: 'PJSIP/106', app: 'parking', appArgs: 'recall,acme,7001' });
    await nextEvent(env, 'Dial', (e) => e.peer.id === 'r2' && e.dialstatus === 'RINGING');
    fake.answer('r2');
    const started = await nextEvent(env, 'StasisStart', (e) => e.channel.id === 'r2');
    expect(started.args).toEqual(['recall', 'acme', '7001']);
    expect(started.channel.state).toBe('Up');

    // A ringing recall cancelled because someone else retrieved the call.
    await client.channels.originateWithId({ channelId: 'r3', endpoint: 'PJSIP/106', app: 'parking', appArgs: 'recall' });
    await nextEvent(env, 'ChannelStateChange', (e) => e.channel.id === 'r3' && e.channel.state === 'Ringing');
    await client.channels.hangup({ channelId: 'r3', reason: 'answered_elsewhere' });
    const d = await nextEvent(env, 'ChannelDestroyed', (e) => e.channel.id === 'r3');
    expect(d).toMatchObject({ cause: 26, cause_txt: 'Answered elsewhere' });
    const req = env.received.find((e) => e.type === 'ChannelHangupRequest' && e.channel.id === 'r3');
    expect(req).toMatchObject({ cause: 32, soft: true });

    // The phone declines (603): cause 21.
    await client.channels.originateWithId({ channelId: 'r4', endpoint: 'PJSIP/106', app: 'parking' });
    await nextEvent(env, 'ChannelStateChange', (e) => e.channel.id === 'r4' && e.channel.state === 'Ringing');
    fake.reject('r4');
    expect(await nextEvent(env, 'ChannelDestroyed', (e) => e.channel.id === 'r4')).toMatchObject({ cause: 21, tech_cause: 603 });
  });

  it('an unreachable phone (no contact) makes the originate fail with 500 Allocation failed', async () => {
    env = await startEnv();
    const { fake } = env;
    fake.addPhone({ number: '107', context: 'from-acme', behavior: 'unreachable' });
    const r = await http(fake, 'POST', '/ari/channels?endpoint=PJSIP/107&app=parking');
    expect(r).toMatchObject({ status: 500, body: { error: 'Allocation failed' } });
    expect((await http(fake, 'GET', '/ari/endpoints/PJSIP/107')).body).toMatchObject({ state: 'offline', channel_ids: [] });
    expect(fake.deviceState('PJSIP/107')).toBe('UNAVAILABLE');
    expect((await http(fake, 'POST', '/ari/channels?app=parking')).body).toEqual({ message: 'Endpoint must be specified' });
    expect((await http(fake, 'POST', '/ari/channels?endpoint=PJSIP/101')).body).toEqual({ message: 'Application or extension must be specified' });
  });

  it('sends SIP MESSAGEs to phones', async () => {
    env = await startEnv();
    const { client, fake } = env;
    // ari-client (swagger-client 2.0) treats a parameter named "body" as the request body: the
    // text goes out as an application/json body, which Asterisk cannot parse.
    expect(await ariError(client.endpoints.sendMessage({ to: 'pjsip:101', from: 'sip:parking@pbx', body: 'Parked on *71333' }))).toEqual({
      message: 'Error parsing request body',
    });
    // What works: the text inside a JSON body (ARI reads query parameters from the body too).
    await client.endpoints.sendMessage({ to: 'pjsip:101', from: 'sip:parking@pbx', body: JSON.stringify({ body: 'Parked on *71333' }) });
    await client.endpoints.sendMessageToEndpoint({
      tech: 'PJSIP',
      resource: '102',
      from: 'parking',
      body: JSON.stringify({ body: 'hello', variables: { 'X-Kind': 'park' } }),
    });
    expect(fake.phone('101').messages).toMatchObject([{ to: 'pjsip:101', from: 'sip:parking@pbx', body: 'Parked on *71333' }]);
    expect(fake.phone('102').messages).toMatchObject([{ body: 'hello', variables: { 'X-Kind': 'park' } }]);
    const r = await http(fake, 'PUT', '/ari/endpoints/sendMessage?to=PJSIP/101&from=x&body=y');
    expect(r).toMatchObject({ status: 404, body: { message: 'Endpoint not found' } });
    expect((await http(fake, 'PUT', '/ari/endpoints/sendMessage?to=pjsip:101&from=x&body=y')).status).toBe(202);
  });
});
