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
    expect(ev.channel.channelvars).toEqual({ BLINDTRANSFER: transfererName, PARK_PEER: '' });
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

    const since = env.received.length;
    const replaced = nextEvent(env, 'StasisStart', (e) => e.channel.id === call.calleeChannelId, 2000, since);
    fake.attendedTransfer(call.callerChannelId, a2);
    const ev = await replaced;
    // res_stasis.c channel_replaced_cb(): no args, replace_channel is the consult leg.
    expect(ev.args).toEqual([]);
    expect(ev.replace_channel).toMatchObject({ id: a2, name: a2Name });
    expect(ev.channel.channelvars).toEqual({ BLINDTRANSFER: '', PARK_PEER: 'set-on-A2' });
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
