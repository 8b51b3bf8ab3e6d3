/**
 * Reads the message log sipp writes with -trace_msg: every SIP message it sent or received,
 * in order. Entries look like
 *
 *   ----------------------------------------------- 2026-11-22 05:03:16.814271
 *   UDP message received [286] bytes :
 *
 *   SIP/2.0 100 Trying
 *   ...
 *
 * sipp also logs "Unexpected UDP message received:" for a message its scenario did not expect
 * (a copy of one already logged as received); those are kept apart as `unexpected`.
 */
export interface SipMessage {
  direction: 'sent' | 'received';
  /** sipp's timestamp of the entry (ms since epoch); NaN when the entry has none. */
  at: number;
  /** "INVITE", "BYE", ... for requests; null for responses. */
  method: string | null;
  /** The status code for responses; null for requests. */
  status: number | null;
  startLine: string;
  /** Lower-case header name -> values in order (compact forms are expanded). */
  headers: Map<string, string[]>;
  body: string;
  raw: string;
}

export interface SipLog {
  messages: SipMessage[];
  unexpected: string[];
}

const COMPACT: Record<string, string> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', r: 'refer-to', b: 'referred-by', u: 'allow-events',
};

export function parseSipMessage(raw: string, direction: SipMessage['direction'], at = NaN): SipMessage {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split + 2).replace(/\n+$/, '');
  const [startLine, ...lines] = head.split('\n');
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    let name = line.slice(0, colon).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const values = headers.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(name, values);
  }
  const response = /^SIP\/2\.0 (\d{3})/.exec(startLine);
  return {
    direction,
    at,
    method: response ? null : startLine.split(' ')[0],
    status: response ? Number(response[1]) : null,
    startLine,
    headers,
    body,
    raw: text,
  };
}

export function parseSippLog(text: string): SipLog {
  const messages: SipMessage[] = [];
  const unexpected: string[] = [];
  const parts = text.replace(/\r\n/g, '\n').split(/^-{47}/m).slice(1);
  for (const part of parts) {
    const nl = part.indexOf('\n');
    const stamp = part.slice(0, nl).trim();
    const rest = part.slice(nl + 1);
    const titleEnd = rest.indexOf('\n');
    const title = rest.slice(0, titleEnd);
    const content = rest.slice(titleEnd + 1).replace(/^\n/, '');
    if (!content.trim()) continue;
    const at = stamp ? Date.parse(stamp.replace(' ', 'T')) : NaN;
    if (/^Unexpected/.test(title)) unexpected.push(content.trim());
    else if (/message sent/.test(title)) messages.push(parseSipMessage(content, 'sent', at));
    else if (/message received/.test(title)) messages.push(parseSipMessage(content, 'received', at));
  }
  return { messages, unexpected };
}

export const header = (message: SipMessage, name: string): string | undefined => message.headers.get(name.toLowerCase())?.[0];

export function callIdOf(message: SipMessage): string {
  return header(message, 'call-id') ?? '';
}

/** The tag parameter of a From/To header value. */
export function tagOf(value: string | undefined): string {
  return /;\s*tag=([^;>\s]+)/i.exec(value ?? '')?.[1] ?? '';
}

/** The display name of a From/To/P-Asserted-Identity value, unquoted. */
export function displayName(value: string | undefined): string {
  const match = /^\s*"((?:[^"\\]|\\.)*)"/.exec(value ?? '') ?? /^\s*([^<"]+?)\s*</.exec(value ?? '');
  return match ? match[1].replace(/\\(.)/g, '$1') : '';
}

/** A one-line-per-message summary, for failure messages. */
export function summarize(log: SipLog): string {
  return log.messages
    .map((m) => `${m.direction === 'sent' ? '->' : '<-'} ${m.startLine} (Call-ID ${callIdOf(m)})`)
    .join('\n');
}
