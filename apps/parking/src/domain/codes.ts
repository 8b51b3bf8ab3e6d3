import type { TenantConfig } from './tenant';

/** Where a call is parked, as users dial it after the retrieve prefix. */
export type Place =
  | { kind: 'SLOT'; number: string }
  | { kind: 'EXTENSION'; number: string }
  | { kind: 'CODE'; code: string };

/** What a dialled feature code asks for. */
export type DialledRequest =
  | { action: 'park'; target: Place }
  | { action: 'park'; target: 'auto' }
  | { action: 'group-park' }
  | { action: 'retrieve'; target: Place }
  | { action: 'retrieve'; target: 'own' }
  /** A call park extension dialled or transferred to: parks a transfer, retrieves a dial. */
  | { action: 'slot'; number: string }
  | { action: 'invalid'; reason: string };

export function placeKey(place: Place): string {
  return place.kind === 'CODE' ? `*${place.code}` : place.number;
}

export function placeFromKey(key: string, config: TenantConfig): Place {
  if (key.startsWith('*')) return { kind: 'CODE', code: key.slice(1) };
  return config.slots.has(key) ? { kind: 'SLOT', number: key } : { kind: 'EXTENSION', number: key };
}

/** The number users dial to retrieve a call parked at `place`. */
export function retrievalNumber(config: TenantConfig, place: Place): string {
  if (place.kind === 'SLOT') return place.number;
  return config.settings.retrievePrefix + placeKey(place);
}

/** The digits spoken to the parker: a slot's number, or the whole retrieval code. */
export function spokenPlace(config: TenantConfig, place: Place): string {
  return retrievalNumber(config, place);
}

/**
 * Parses a dialled string against a tenant's codes. The longest matching prefix wins, so
 * tenants may use overlapping styles (`*7` and `*71`). Pure: no lookups beyond the config.
 */
export function parseDialled(dialled: string, config: TenantConfig): DialledRequest {
  const { settings, slots, extensions } = config;
  if (slots.has(dialled)) return { action: 'slot', number: dialled };
  if (settings.groupParkCodes.includes(dialled)) return { action: 'group-park' };

  const prefixes: Array<['park' | 'retrieve', string]> = [
    ['park', settings.parkPrefix],
    ['retrieve', settings.retrievePrefix],
  ];
  const match = prefixes
    .filter(([, prefix]) => prefix.length > 0 && dialled.startsWith(prefix))
    .sort((a, b) => b[1].length - a[1].length)[0];
  if (!match) return { action: 'invalid', reason: `no parking code matches ${dialled}` };

  const [action, prefix] = match;
  const rest = dialled.slice(prefix.length);
  if (rest === '') return action === 'park' ? { action, target: 'auto' } : { action, target: 'own' };

  if (rest.startsWith('*')) {
    const code = rest.slice(1);
    if (!/^\d+$/.test(code)) return { action: 'invalid', reason: `malformed code ${rest}` };
    // A code is only ever handed out by the service; parking on one chosen by the caller is refused.
    if (action === 'park') return { action: 'invalid', reason: 'codes cannot be chosen when parking' };
    return { action, target: { kind: 'CODE', code } };
  }
  if (slots.has(rest)) return { action, target: { kind: 'SLOT', number: rest } };
  if (extensions.has(rest)) return { action, target: { kind: 'EXTENSION', number: rest } };
  return { action: 'invalid', reason: `${rest} is neither an extension nor a call park extension` };
}
