/** Device names: what phones' BLF keys subscribe to through `hint => Stasis:<name>`. */
export const lampName = {
  place: (tenantSlug: string, placeKey: string) => `park-${tenantSlug}-${placeKey}`,
  lot: (tenantSlug: string) => `park-${tenantSlug}`,
  group: (tenantSlug: string, groupName: string) => `park-${tenantSlug}-group-${sanitize(groupName)}`,
};

export function sanitize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
