/**
 * The grammar of every value that reaches Asterisk: generated dialplan, device names, dial
 * strings, Continue() targets. The API validates against these (as JSON-schema patterns) and
 * the generators check again, so a value that slipped past one still cannot inject (issue 14).
 */
export const patterns = {
  /** Tenant short name: dash-separated segments, every one after the first starting with a letter (lamp names rely on it). */
  slug: '^(?=.{1,32}$)[a-z0-9][a-z0-9]*(-[a-z][a-z0-9]*)*$',
  digits: '^[0-9]{1,15}$',
  featureCode: '^[*#][0-9]{1,6}$',
  musicClass: '^[A-Za-z0-9_-]{1,64}$',
  /** Human text (names): no control characters, no line or paragraph separators. */
  text: '^[^\\u0000-\\u001f\\u007f\\u2028\\u2029]*$',
  /** A dial-able endpoint: technology / one resource, nothing Dial() would read as options or a second target. */
  endpoint: '^(PJSIP|SIP|IAX2)/[A-Za-z0-9][A-Za-z0-9_.+-]{0,79}$',
  /** What a system admin allows a tenant: an endpoint where `*` stands for any resource characters. */
  endpointPattern: '^(PJSIP|SIP|IAX2)/[A-Za-z0-9_.+*-]{1,80}$',
  context: '^[A-Za-z0-9_-]{1,79}$',
  /** Dialplan destination "context,exten,priority". */
  destination: '^[A-Za-z0-9_-]{1,79},[A-Za-z0-9*#+]{1,40},[0-9]{1,5}$',
} as const;

const compiled = Object.fromEntries(Object.entries(patterns).map(([k, p]) => [k, new RegExp(p)])) as Record<keyof typeof patterns, RegExp>;

export const isValid = (kind: keyof typeof patterns, value: string): boolean => compiled[kind].test(value);

/** Does `endpoint` match one of the admin's patterns (`*`: any run of resource characters)? */
export function endpointAllowed(endpoint: string, allowed: readonly string[]): boolean {
  if (!isValid('endpoint', endpoint)) return false;
  return allowed.some((p) => {
    if (!isValid('endpointPattern', p)) return false;
    const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+]/g, '\\$&')).join('[A-Za-z0-9_.+-]*')}$`);
    return re.test(endpoint);
  });
}

/** Is the destination's context one the admin allowed this tenant? */
export function destinationAllowed(destination: string, contexts: readonly string[]): boolean {
  return isValid('destination', destination) && contexts.includes(destination.split(',')[0]);
}
