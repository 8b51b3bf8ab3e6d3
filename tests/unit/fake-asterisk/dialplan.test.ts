import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Dialplan } from '../../support/fake-asterisk/dialplan/dialplan';
import { evaluate, substitute } from '../../support/fake-asterisk/dialplan/expr';
import { extCmp, extensionMatches } from '../../support/fake-asterisk/dialplan/match';
import { FakeAsterisk } from '../../support/fake-asterisk';
import { dialplanFolder, writeFile } from './support';

describe('fake Asterisk dialplan: matching, ordering, expressions', () => {
  it('matches patterns like _extension_match_core()', () => {
    expect(extensionMatches('_*70.', '*70333')).toBe(true);
    expect(extensionMatches('_*70.', '*70')).toBe(false); // '.' needs one or more
    expect(extensionMatches('_*70!', '*70')).toBe(true);
    expect(extensionMatches('_[1-3]XX', '102')).toBe(true);
    expect(extensionMatches('_[1-3]XX', '402')).toBe(false);
    expect(extensionMatches('_NXX', '102')).toBe(false);
    expect(extensionMatches('_ZXX', '102')).toBe(true);
    expect(extensionMatches('_#58', '#58')).toBe(true);
    expect(extensionMatches('7001', '7001')).toBe(true);
    expect(extensionMatches('_X.', '*71')).toBe(false);
  });

  it('orders like ext_cmp(): literal extensions first, then the most specific pattern', () => {
    const sorted = ['_X.', '_*7X.', '*70', '_*70.', '_[1-3]XX', '_1XX', '_NXX'].sort(extCmp);
    expect(sorted).toEqual(['*70', '_*70.', '_*7X.', '_1XX', '_[1-3]XX', '_NXX', '_X.']);
  });

  it('substitutes ${VAR}, ${VAR:offset:length}, functions and $[...]', () => {
    const vars: Record<string, string> = { EXTEN: '*70333', BLINDTRANSFER: '', NAME: 'PJSIP/333-0000002a' };
    const lookup = (n: string) => vars[n];
    expect(substitute('code,acme,${EXTEN}', lookup)).toBe('code,acme,*70333');
    expect(substitute('${EXTEN:3}', lookup)).toBe('333');
    expect(substitute('${EXTEN:-3:2}', lookup)).toBe('33');
    expect(substitute('$["${BLINDTRANSFER}" != ""]', lookup)).toBe('0');
    expect(substitute('$["${NAME}" != ""]', lookup)).toBe('1');
    expect(evaluate('"a" = "a" & 2 > 1')).toBe('1');
    expect(evaluate('3 + 4 * 2')).toBe('11');
  });

  it('loads #include relative to the file, warns on a missing one, and loadDialplan replaces contexts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dp-'));
    writeFile(dir, 'main.conf', '#include sub.conf\n#include missing.conf\n[a]\nexten => 1,1,NoOp()\n same => n(done),Hangup()\n');
    writeFile(dir, 'sub.conf', '[b]\nexten => _X.,1,Goto(a,1,1)\ninclude => a\n');
    const dp = new Dialplan();
    dp.loadFile(path.join(dir, 'main.conf'));
    expect(dp.warnings.some((w) => w.includes('missing.conf'))).toBe(true);
    expect(dp.find('b', '12', 1)?.app).toBe('Goto'); // own pattern before the include
    expect(dp.find('b', '1', 1)?.app).toBe('NoOp'); // '_X.' needs two digits: found through the include
    expect(dp.findLabel('a', '1', 'done')).toBe(2);
    dp.loadText('[a]\nexten => 2,1,NoOp()\n');
    expect(dp.exists('a', '1')).toBe(false);
    expect(dp.exists('a', '2')).toBe(true);
  });
});

describe('fake Asterisk dialplan: the project dialplan runs', () => {
  let fake: FakeAsterisk;
  afterEach(async () => {
    await fake?.stop();
  });

  it('parking-fallback,slot: a blind-transferred call parks, a dialled one retrieves (no WebSocket)', async () => {
    const dir = dialplanFolder();
    fake = await FakeAsterisk.start({
      dialplanFiles: [path.join(dir, 'extensions.conf.sample')],
      phones: [
        { number: '101', context: 'from-acme' },
        { number: '102', context: 'from-acme' },
        { number: '201', context: 'from-acme' },
      ],
    });
    expect(fake.warnings).toEqual([]);
    // No app registered: Stasis() fails, 7001's fallback is the slot extension.
    const call = fake.call('101', '102');
    fake.blindTransfer(call.callerChannelId, '7001');
    await fake.waitFor(() => fake.bridgeOf(call.calleeChannelId)?.bridge_class === 'parking', 2000, 'transferee parked');
    expect(fake.channelVar(call.calleeChannelId, 'BLINDTRANSFER')).toMatch(/^PJSIP\/101-/);
    const retriever = fake.dial('201', '7001');
    await fake.waitFor(() => fake.bridgedWith(retriever).includes(call.calleeChannelId), 2000, 'retrieved');
    // Hanging up the retriever ends the retrieved call too (two-party basic bridge).
    fake.hangup(retriever);
    await fake.waitFor(() => fake.channel(call.calleeChannelId) === undefined);
    expect(fake.channels()).toEqual([]);
    // Hints follow device states.
    expect(fake.hintState('park-acme@parking-acme')).toBe('Idle');
    expect(fake.hintState('7002@from-acme')).toBe('Idle');
    expect(fake.hintState('9999@from-acme')).toBe('Unknown');
  });

  it('Dial() to a busy phone sets DIALSTATUS and the dialplan goes on', async () => {
    fake = await FakeAsterisk.start({
      dialplan: '[ctx]\nexten => _1XX,1,Dial(PJSIP/${EXTEN},5)\n same => n,Set(RESULT=${DIALSTATUS})\n same => n,Wait(1)\n',
      phones: [
        { number: '101', context: 'ctx' },
        { number: '102', context: 'ctx', behavior: 'busy' },
        { number: '103', context: 'ctx', behavior: 'unreachable' },
      ],
    });
    const a = fake.dial('101', '102');
    await fake.waitFor(() => fake.channelVar(a, 'RESULT') === 'BUSY');
    const b = fake.dial('101', '103');
    await fake.waitFor(() => fake.channelVar(b, 'RESULT') === 'CHANUNAVAIL');
    expect(fake.phone('102').invites).toHaveLength(1);
    expect(fake.phone('103').invites).toHaveLength(0);
  });
});
