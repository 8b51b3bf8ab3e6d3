import { renderTenantDialplan } from '../../../apps/parking/src/domain/dialplan';
import { lampName } from '../../../apps/parking/src/domain/lamp-names';
import type { Context } from '../../support/fake-asterisk/dialplan/parser';
import { DialplanParser } from '../../support/fake-asterisk/dialplan/parser';
import { tenantConfig } from '../../support/tenant-config';

/** The generated text as Asterisk's config parser reads it: context -> extension -> priorities/hint. */
function parse(text: string) {
  const contexts = new Map<string, Context>();
  const parser = new DialplanParser(contexts);
  parser.parseText(text);
  expect(parser.warnings).toEqual([]);
  return Object.fromEntries(
    [...contexts].map(([name, ctx]) => [
      name,
      Object.fromEntries(
        [...ctx.extensions].map(([pattern, e]) => [pattern, { hint: e.hint ?? null, apps: e.order.map((p) => `${e.priorities.get(p)!.app}(${e.priorities.get(p)!.data})`) }]),
      ),
    ]),
  );
}

const stasis = (slug: string, fallback: string) => ({ hint: null, apps: [`Stasis(parking,code,${slug},\${EXTEN})`, `Goto(parking-fallback,${fallback},1)`] });

describe('[SEC] generated dialplan for hostile configuration', () => {
  it('[SEC] contains exactly the lines the generator means (names, slugs, slot numbers, group names, codes)', () => {
    const hostile = 'Alpha\nexten => _X.,1,System(touch /tmp/pwned)\n[evil]\r\nexten => s,1,System(id)\u2028;--';
    const good = tenantConfig(
      { slug: 'alpha', name: hostile, groupParkCodes: ['*58', '*5\n8', '#58,1,System(x)'] },
      {
        slots: [{ number: '7001' }, { number: '7002\nexten => 1,1,System(x)' }, { number: '7003,hint,x' }],
        groups: [
          { id: 'g1', name: 'agrp' },
          { id: 'g2', name: 'AGRP' },
          { id: 'g3', name: 'agrp ' },
          { id: 'g4', name: '!!!\nexten => 2,1,System(y)' },
        ],
      },
    );
    const evilSlug = tenantConfig({ id: 't2', slug: 'x\n[from-internal]\nexten => _X.,1,System(z)' });
    const evilPrefix = tenantConfig({ id: 't3', slug: 'beta', parkPrefix: '*70\nexten => 3,1,System(w)', retrievePrefix: '*71' });
    const text = renderTenantDialplan([good, evilSlug, evilPrefix], 'parking');

    const groupHints = Object.fromEntries(
      ['agrp', 'AGRP', 'agrp ', '!!!\nexten => 2,1,System(y)'].map((n) => {
        const name = lampName.group('alpha', n);
        return [name, { hint: `Stasis:${name}`, apps: [] }];
      }),
    );
    expect(parse(text)).toEqual({
      'parking-alpha': {
        '*70': stasis('alpha', 'park'),
        '_*70.': stasis('alpha', 'park'),
        '*71': stasis('alpha', 'retrieve'),
        '_*71.': stasis('alpha', 'retrieve'),
        '*58': stasis('alpha', 'park'),
        '7001': { hint: 'Stasis:park-alpha-7001', apps: stasis('alpha', 'slot').apps },
        'park-alpha': { hint: 'Stasis:park-alpha', apps: [] },
        ...groupHints,
      },
      'parking-beta': {
        '*71': stasis('beta', 'retrieve'),
        '_*71.': stasis('beta', 'retrieve'),
        '*58': stasis('beta', 'park'),
        '#58': stasis('beta', 'park'),
        '7001': { hint: 'Stasis:park-beta-7001', apps: stasis('beta', 'slot').apps },
        '7002': { hint: 'Stasis:park-beta-7002', apps: stasis('beta', 'slot').apps },
        '7003': { hint: 'Stasis:park-beta-7003', apps: stasis('beta', 'slot').apps },
        'park-beta': { hint: 'Stasis:park-beta', apps: [] },
      },
    });
    // The hostile text survives only inside one comment line.
    expect(text.split('\n').filter((l) => l.includes('System'))).toEqual([expect.stringMatching(/^; Alpha exten => _X\.,1,System/)]);
    // Every line is a comment, a context header, an exten/same line or empty.
    for (const line of text.split('\n')) expect(line).toMatch(/^(;.*|\[parking-[a-z0-9-]+\]|exten => .*|  ?same => .*|)$/);
  });

  it('[SEC] lamp names cannot collide: groups differing in case or spaces, "!!!", slug alpha-701 vs alpha slot 701', () => {
    const groups = ['agrp', 'AGRP', 'agrp ', '!!!', '', 'a.group.b'].map((n) => lampName.group('alpha', n));
    expect(new Set(groups).size).toBe(groups.length);
    expect(groups[3]).toBe('park-alpha.group._21_21_21');
    const all = [lampName.lot('alpha'), lampName.place('alpha', '701'), lampName.place('alpha', '*7250'), lampName.lot('alpha-b'), lampName.place('alpha-b', '701'), ...groups];
    expect(new Set(all).size).toBe(all.length);
    // The old name stays known, to switch lamps of earlier versions off.
    expect(lampName.legacyGroup('alpha', 'Front desk')).toBe('park-alpha-group-front-desk');
  });
});
