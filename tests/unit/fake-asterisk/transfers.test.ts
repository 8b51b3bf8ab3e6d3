import { nextEvent, startEnv } from './support';
import type { Env } from './support';

describe('fake Asterisk: transfers and pulling a held call', () => {
  let env: Env;
  afterEach(async () => {
    await env?.close();
  });

  it('blind transfer: the transferee enters Stasis Up with BLINDTRANSFER; the transferer leg is gone at once', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const call = fake.call('101', '102');
    expect(fake.bridgedWith(call.callerChannelId)).toEqual([call.calleeChannelId]);
    expect(fake.bridgeOf(call.callerChannelId)).toMatchObject({ bridge_class: 'basic', bridge_type: 'mixing' });
    const transfererName = fake.channel(call.callerChannelId)!.name;

    const started = nextEvent(env, 'StasisStart');
    const refer = fake.blindTransfer(call.callerChannelId, '*70333');
    const ev = await started;
    expect(ev.args).toEqual(['code', 'acme', '*70333']);
    expect(ev.channel.id).toBe(call.calleeChannelId);
    expect(ev.channel.state).toBe('Up');
    expect(ev.channel.channelvars).toEqual({ BLINDTRANSFER: transfererName, ATTENDEDTRANSFER: '', PARK_PEER: '' });
    expect(transfererName.slice(0, transfererName.lastIndexOf('-'))).toBe('PJSIP/101');
    // ast_bridge_transfer_blind() removes the transferer from the two-party bridge: its channel
    // hangs up right away; the phone's REFER subscription only got "100 Trying" so far.
    expect(fake.channel(call.callerChannelId)).toBeUndefined();
    expect(fake.bridges().filter((b) => b.bridge_class === 'basic')).toEqual([]);
    expect(refer.notifications).toEqual([100]);
    expect(refer.completed).toBe(false);

    // The NOTIFY 200 (after which the phone hangs up its dialog) goes when the transferee gets
    // media or joins a bridge; ringing indication only gives 180.
    await client.channels.ring({ channelId: ev.channel.id });
    expect(refer.notifications).toEqual([100, 180]);
    await client.bridges.createWithId({ bridgeId: 'lot', type: 'holding' });
    await client.bridges.addChannel({ bridgeId: 'lot', channel: ev.channel.id });
    expect(refer.notifications).toEqual([100, 180, 200]);
    expect(refer.completed).toBe(true);
    expect(fake.phone('101').refers).toEqual([refer]);
  });

  it('attended transfer to a consult call in Stasis: StasisStart with replace_channel, then StasisEnd of the consult leg', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const call = fake.call('101', '102'); // A1 = 101's leg, B = 102
    const consultStart = nextEvent(env, 'StasisStart');
    const a2 = fake.dial('101', '*70333');
    const first = await consultStart;
    expect(first.channel.id).toBe(a2);
    await client.channels.answer({ channelId: a2 });
    await client.channels.setChannelVar({ channelId: a2, variable: 'PARK_PEER', value: 'set-on-A2' });
    const a2Name = fake.channel(a2)!.name;
    const a1Name = fake.channel(call.callerChannelId)!.name;

    const since = env.received.length;
    const replaced = nextEvent(env, 'StasisStart', (e) => e.channel.id === call.calleeChannelId, 2000, since);
    fake.attendedTransfer(call.callerChannelId, a2);
    const ev = await replaced;
    // res_stasis.c channel_replaced_cb(): no args, replace_channel is the consult leg.
    expect(ev.args).toEqual([]);
    expect(ev.replace_channel).toMatchObject({ id: a2, name: a2Name });
    expect(ev.channel.channelvars).toEqual({ BLINDTRANSFER: '', ATTENDEDTRANSFER: a1Name, PARK_PEER: 'set-on-A2' });
    const types = env.received.slice(since).map((e) => e.type);
    expect(types).toEqual(['BridgeAttendedTransfer', 'StasisStart', 'StasisEnd']);
    expect(env.received[since + 2].channel.id).toBe(a2);
    // ari-client hands (event, {channel, replace_channel}) for this StasisStart.
    expect(fake.stasisOf(call.calleeChannelId)).toEqual({ app: 'parking', args: ['code', 'acme', '*70333'] });
    expect(fake.channel(a2)).toBeUndefined();
    expect(fake.channel(call.callerChannelId)).toBeUndefined();
    expect(fake.channelVar(call.calleeChannelId, 'ATTENDEDTRANSFER')).toMatch(/^PJSIP\/101-/);

    // B now is the Stasis channel: it can be continued like A2 could.
    await client.channels.continueInDialplan({ channelId: call.calleeChannelId, context: 'parking-fallback', extension: 'park', priority: 1 });
    await fake.waitFor(() => fake.bridgeOf(call.calleeChannelId)?.bridge_class === 'parking');
  });

  it('attended transfer to a consult call in an ARI bridge links the bridges with a Local channel', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const call = fake.call('101', '102');
    const a2 = fake.dial('101', '*70333');
    await nextEvent(env, 'StasisStart');
    await client.channels.answer({ channelId: a2 });
    await client.bridges.createWithId({ bridgeId: 'announce', type: 'mixing' });
    await client.bridges.addChannel({ bridgeId: 'announce', channel: a2 });
    const since = env.received.length;
    const local = nextEvent(env, 'StasisStart', (e) => /^Local\/_attended@transfer-[0-9a-f]{8};2$/.test(e.channel.name), 2000, since);
    fake.attendedTransfer(call.callerChannelId, a2);
    const ev = await local;
    expect(ev.args).toEqual([]);
    expect(ev.replace_channel.id).toBe(a2);
    await fake.waitFor(() => fake.bridge('announce')!.channels.length === 1 && fake.bridge('announce')!.channels[0] === ev.channel.id);
    // B talks to the ;1 half in a basic bridge.
    const peer = fake.bridgedWith(call.calleeChannelId);
    expect(peer).toHaveLength(1);
    expect(fake.channel(peer[0])!.name).toMatch(/;1$/);
  });

  /** 102 and 201 in Stasis, talking in the app's mixing bridge "talk" (a retrieval). */
  async function talkingInStasis(e: Env) {
    const { client, fake } = e;
    const callerStart = nextEvent(e, 'StasisStart');
    const caller = fake.dial('102', '*70333');
    await callerStart;
    const retrieverStart = nextEvent(e, 'StasisStart', (ev) => ev.channel.id !== caller);
    const retriever = fake.dial('201', '*71333');
    await retrieverStart;
    await client.channels.answer({ channelId: caller });
    await client.channels.answer({ channelId: retriever });
    await client.bridges.createWithId({ bridgeId: 'talk', type: 'mixing' });
    await client.bridges.addChannel({ bridgeId: 'talk', channel: [caller, retriever] });
    return { caller, retriever };
  }

  it('blind transfer out of a Stasis bridge: a Local pair, ;1 enters Stasis in the transferer\'s place, ;2 runs the dialplan', async () => {
    env = await startEnv();
    const { fake } = env;
    const { caller, retriever } = await talkingInStasis(env);
    const transfererName = fake.channel(retriever)!.name;
    const since = env.received.length;
    const one = nextEvent(env, 'StasisStart', (e) => /^Local\/\*70333@from-acme-[0-9a-f]{8};1$/.test(e.channel.name), 2000, since);
    const two = nextEvent(env, 'StasisStart', (e) => /^Local\/\*70333@from-acme-[0-9a-f]{8};2$/.test(e.channel.name), 2000, since);
    const blind = nextEvent(env, 'BridgeBlindTransfer', () => true, 2000, since);
    const refer = fake.blindTransfer(retriever, '*70333');
    // stasis_bridge.c bridge_stasis_push(): Stasis(<app>) first, replacing the transferer, no args.
    const first = await one;
    expect(first.args).toEqual([]);
    expect(first.replace_channel).toMatchObject({ id: retriever, name: transfererName });
    expect(first.channel.channelvars).toMatchObject({ BLINDTRANSFER: transfererName });
    // ;2 (with ;1's variables) runs *70333@from-acme: Stasis(parking,code,acme,*70333).
    const second = await two;
    expect(second.args).toEqual(['code', 'acme', '*70333']);
    expect(second.channel.channelvars).toMatchObject({ BLINDTRANSFER: transfererName });
    expect(second.channel.caller).toEqual({ name: '', number: '' });
    expect(await blind).toMatchObject({ channel: { id: retriever }, replace_channel: { id: first.channel.id }, transferee: { id: caller }, exten: '*70333', context: 'from-acme', result: 'Success' });
    // The caller now talks to ;1; the transferer's phone got NOTIFY 200 and hung up.
    await fake.waitFor(() => fake.channel(retriever) === undefined);
    expect(fake.bridgedWith(caller)).toEqual([first.channel.id]);
    expect(fake.channelVar(caller, 'BLINDTRANSFER')).toBe(transfererName);
    expect(refer.completed).toBe(true);
  });

  it('attended transfer out of a Stasis bridge: ;2 takes the consult leg\'s place in Stasis, ;1 the held leg\'s in the bridge', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const { caller, retriever } = await talkingInStasis(env);
    const heldName = fake.channel(retriever)!.name;
    fake.holdCall(retriever);
    const consultStart = nextEvent(env, 'StasisStart', (e) => e.args[2] === '*707002');
    const a2 = fake.dial('201', '*707002');
    await consultStart;
    await client.channels.answer({ channelId: a2 });
    const since = env.received.length;
    const two = nextEvent(env, 'StasisStart', (e) => /^Local\/_attended@transfer-[0-9a-f]{8};2$/.test(e.channel.name), 2000, since);
    const one = nextEvent(env, 'StasisStart', (e) => /^Local\/_attended@transfer-[0-9a-f]{8};1$/.test(e.channel.name), 2000, since);
    fake.attendedTransfer(retriever, a2);
    const masqueraded = await two;
    expect(masqueraded.replace_channel.id).toBe(a2);
    expect(masqueraded.channel.channelvars).toMatchObject({ ATTENDEDTRANSFER: heldName });
    expect(fake.stasisOf(masqueraded.channel.id)).toEqual({ app: 'parking', args: ['code', 'acme', '*707002'] });
    const imparted = await one;
    expect(imparted.replace_channel.id).toBe(retriever);
    await fake.waitFor(() => fake.channel(retriever) === undefined && fake.channel(a2) === undefined);
    expect(fake.bridgedWith(caller)).toEqual([imparted.channel.id]);
    expect(fake.channelVar(caller, 'ATTENDEDTRANSFER')).toBe(heldName);
  });

  it('hold + dial + hang up: Local/pull@parking-helper redirects the held caller into Stasis(parking,pulled)', async () => {
    env = await startEnv();
    const { client, fake } = env;
    const call = fake.call('101', '102'); // 101 holds 102
    fake.holdCall(call.callerChannelId);
    expect(fake.mohOf(call.calleeChannelId)).toBe('default');
    const heldName = fake.channel(call.calleeChannelId)!.name;

    const pulled = nextEvent(env, 'StasisStart', (e) => e.args[0] === 'pulled');
    const local = await client.channels.originate({
      endpoint: 'Local/pull@parking-helper',
      context: 'parking-helper',
      extension: 'done',
      priority: 1,
      variables: { PARK_PEER: heldName },
    });
    expect(local.name).toMatch(/^Local\/pull@parking-helper-[0-9a-f]{8};1$/);
    const ev = await pulled;
    expect(ev.channel.id).toBe(call.calleeChannelId);
    expect(ev.channel.dialplan).toMatchObject({ context: 'parking-pulled', exten: 's', priority: 1 });
    // Redirecting one party out of the Dial() bridge ends the parker's held leg.
    await fake.waitFor(() => fake.channel(call.callerChannelId) === undefined);
    // The Local pair goes away once the helper extension hung up.
    await fake.waitFor(() => fake.channels().every((c) => !c.name.startsWith('Local/')));
  });
});
