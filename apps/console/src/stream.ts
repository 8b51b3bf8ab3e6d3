import { streamProtocols } from './api';
import type { StreamEvent } from './board-state';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface StreamHandlers {
  /** Where the board stands: the stream resumes after this event. */
  position(): { seq: number; epoch: string | null };
  onEvent(event: StreamEvent): void;
  /** The service no longer has the missed events: take a new snapshot. */
  onResync(): void;
  onStatus(status: StreamStatus): void;
}

/** Silence longer than this (no event, no pong) means the connection is dead even if no close came. */
const PING_EVERY_MS = 10_000;
const DEAD_AFTER_MS = 25_000;

/**
 * The event stream, kept open: reconnects with capped backoff and resumes with ?since=, so the
 * server replays exactly the events the board has not seen.
 */
export class EventStream {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private closed = false;
  private lastHeard = 0;
  private timers: number[] = [];

  constructor(
    private readonly key: string,
    private readonly tenantId: string,
    private readonly handlers: StreamHandlers,
  ) {}

  open(): void {
    if (this.closed) return;
    const { seq, epoch } = this.handlers.position();
    const url = new URL('/api/v1/events', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = new URLSearchParams({ tenantId: this.tenantId, since: String(seq), ...(epoch ? { epoch } : {}) }).toString();
    this.handlers.onStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(url, streamProtocols(this.key));
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.handlers.onStatus('live');
    };
    socket.onmessage = (message) => {
      this.lastHeard = Date.now();
      const data = JSON.parse(String(message.data)) as StreamEvent & { type: string };
      if (data.type === 'resync') this.handlers.onResync();
      else if (data.type !== 'pong') this.handlers.onEvent(data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed) return;
      this.handlers.onStatus('reconnecting');
      const delay = Math.min(250 * 2 ** this.attempt++, 5000);
      this.timers.push(window.setTimeout(() => this.open(), delay));
    };
    if (this.timers.length === 0) this.timers.push(window.setInterval(() => this.heartbeat(), PING_EVERY_MS));
  }

  /** Closes the current socket (it reconnects and resumes). */
  drop(): void {
    this.socket?.close();
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.socket?.close();
  }

  private heartbeat(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > DEAD_AFTER_MS) return socket.close(); // onclose reconnects
    socket.send('ping');
  }
}
