/** Asterisk's own parking (asterisk-conf): the last resort that never drops a caller. */
export const FALLBACK_PARK = { context: 'parking-fallback', extension: 'park', priority: 1 };
