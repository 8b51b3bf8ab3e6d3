/** The service's REST API as the console uses it; errors become sentences a receptionist understands. */

export class ApiError extends Error {
  constructor(
    readonly id: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
  /** The service cannot act now (standby, Asterisk down, network): the board is stale, not wrong. */
  get unavailable(): boolean {
    return this.status === 0 || this.status >= 502;
  }
}

const HUMAN: Record<string, string> = {
  unauthorized: 'That API key was not accepted. Check it and sign in again.',
  'slot-occupied': 'That slot was taken a moment ago by another call. Pick another one.',
  'place-in-use': 'That place is taken. Pick another one.',
  'lot-full': 'Every parking place is taken.',
  'call-gone': 'That call has hung up.',
  'no-parked-call': 'That call is no longer parked: it was picked up, or the caller hung up.',
  'ari-unavailable': 'The phone system is not reachable right now (service in standby or Asterisk down). Nothing was changed; try again in a moment.',
  'database-unavailable': 'The service cannot reach its database right now. Try again in a moment.',
  'not-allowed': 'This is not allowed from here.',
  conflict: 'That call is already parked.',
};

export function humanMessage(id: string, fallback: string): string {
  return HUMAN[id] ?? fallback;
}

export interface Session {
  key: string;
  tenantId: string;
  extension: string;
}

export class Api {
  constructor(private readonly key: string) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError('network', 0, 'The service cannot be reached. Check the network; the board will catch up when it is back.');
    }
    if (res.status === 204) return undefined as T;
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = (json as { error?: { id?: string; message?: string } }).error ?? {};
      const id = error.id ?? `http-${res.status}`;
      throw new ApiError(id, res.status, humanMessage(id, error.message ?? `The service answered ${res.status}.`));
    }
    return json as T;
  }

  get = <T>(path: string) => this.request<T>('GET', path);
  post = <T>(path: string, body: unknown) => this.request<T>('POST', path, body);
  delete = (path: string) => this.request<void>('DELETE', path);

  /** Every page of a list (slots, extensions, groups). */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await this.get<{ items: T[]; total: number }>(`${path}${path.includes('?') ? '&' : '?'}limit=500&offset=${offset}`);
      items.push(...page.items);
      if (items.length >= page.total || page.items.length === 0) return items;
    }
  }
}

/** The key travels as a WebSocket subprotocol, never in the URL (URLs end up in logs). */
export function streamProtocols(key: string): string[] {
  const base64url = btoa(String.fromCharCode(...new TextEncoder().encode(key))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return ['parking.v1', `bearer.${base64url}`];
}
