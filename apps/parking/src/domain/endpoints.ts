// Asterisk endpoint and channel names (PJSIP/101, PJSIP/101-0000002a): plain string rules.

/** PJSIP/101-0000002a -> PJSIP/101 */
export function endpointOfChannelName(name: string): string | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0 || !name.includes('/')) return null;
  return name.slice(0, dash);
}

/** PJSIP/101 -> { technology: 'PJSIP', resource: '101' } */
export function splitEndpoint(endpoint: string): { technology: string; resource: string } {
  const slash = endpoint.indexOf('/');
  return { technology: endpoint.slice(0, slash), resource: endpoint.slice(slash + 1) };
}
