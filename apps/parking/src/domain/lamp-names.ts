import { isValid } from './grammar';

/**
 * Device names: what phones' BLF keys subscribe to through `hint => Stasis:<name>`.
 * Collision-free by construction (issue 14):
 * - place `park-<slug>-<place>` and lot `park-<slug>`: a slug's segments after the first start
 *   with a letter (grammar.slug) and a place starts with a digit or `*`, so the last segment
 *   tells a place from a lot, and the rest is the slug;
 * - group `park-<slug>.group.<encoded name>`: only group names contain a `.`; the encoding is
 *   injective (a-z and 0-9 kept, every other UTF-8 byte `_xx`), so "agrp", "AGRP", "agrp " differ.
 */
export const lampName = {
  place: (tenantSlug: string, placeKey: string) => `park-${tenantSlug}-${placeKey}`,
  lot: (tenantSlug: string) => `park-${tenantSlug}`,
  group: (tenantSlug: string, groupName: string) => `park-${tenantSlug}.group.${encodeName(groupName)}`,
  /** The group lamp of versions before issue 14 (lossy, may collide): only to switch old lamps off. */
  legacyGroup: (tenantSlug: string, groupName: string) => `park-${tenantSlug}-group-${sanitize(groupName)}`,
};

export function encodeName(name: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(name)) {
    const c = String.fromCharCode(byte);
    out += /[a-z0-9]/.test(c) ? c : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Is `placeKey` a key lamps may be named after (digits, or `*` and digits for codes)? */
export const isPlaceKey = (placeKey: string): boolean => /^\*?[0-9]{1,15}$/.test(placeKey);
export const isSlug = (slug: string): boolean => isValid('slug', slug);

export function sanitize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
