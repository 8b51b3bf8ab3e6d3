import { parseDialled, retrievalNumber } from '../../../apps/parking/src/domain/codes';
import { tenantConfig } from '../../support/tenant-config';

describe('parseDialled', () => {
  const config = tenantConfig();

  it.each([
    ['*70333', { action: 'park', target: { kind: 'EXTENSION', number: '333' } }],
    ['*707002', { action: 'park', target: { kind: 'SLOT', number: '7002' } }],
    ['*70', { action: 'park', target: 'auto' }],
    ['*71333', { action: 'retrieve', target: { kind: 'EXTENSION', number: '333' } }],
    ['*71', { action: 'retrieve', target: 'own' }],
    ['*71*7250', { action: 'retrieve', target: { kind: 'CODE', code: '7250' } }],
    ['*58', { action: 'group-park' }],
    ['#58', { action: 'group-park' }],
    ['7001', { action: 'slot', number: '7001' }],
  ])('[P1][P2][P3][P4][R1][R2][R3] %s', (dialled, expected) => {
    expect(parseDialled(dialled, config)).toEqual(expected);
  });

  it.each([['*70999'], ['*71*'], ['*71*72a'], ['*70*1234'], ['*99'], ['5']])('an unknown or malformed code %s is invalid, with a reason', (dialled) => {
    const parsed = parseDialled(dialled, config);
    expect(parsed.action).toBe('invalid');
    expect(parsed).toHaveProperty('reason');
  });

  it('[P1] accepts the *68/*88 style when the tenant is configured so', () => {
    const other = tenantConfig({ parkPrefix: '*68', retrievePrefix: '*88' });
    expect(parseDialled('*68101', other)).toEqual({ action: 'park', target: { kind: 'EXTENSION', number: '101' } });
    expect(parseDialled('*88101', other)).toEqual({ action: 'retrieve', target: { kind: 'EXTENSION', number: '101' } });
    expect(parseDialled('*70101', other).action).toBe('invalid');
  });

  it('the longest matching prefix wins when prefixes overlap', () => {
    const overlapping = tenantConfig({ parkPrefix: '*7', retrievePrefix: '*71' });
    expect(parseDialled('*71333', overlapping)).toEqual({ action: 'retrieve', target: { kind: 'EXTENSION', number: '333' } });
    expect(parseDialled('*7333', overlapping)).toEqual({ action: 'park', target: { kind: 'EXTENSION', number: '333' } });
  });

  it('[P2][R3] the retrieval number of a code park is the retrieve prefix, a star and the code', () => {
    expect(retrievalNumber(config, { kind: 'CODE', code: '7250' })).toBe('*71*7250');
    expect(retrievalNumber(config, { kind: 'EXTENSION', number: '333' })).toBe('*71333');
    expect(retrievalNumber(config, { kind: 'SLOT', number: '7001' })).toBe('7001');
  });
});
