import type { WebSocket } from 'ws';

interface Session {
  socket: WebSocket;
  keyId: string | null;
  /** The tenant the stream is held to; null: a system-wide key's stream of all tenants. */
  tenantId: string | null;
  /** The key's own tenant (null: system-wide). */
  keyTenantId: string | null;
}

/** WebSocket close code for "policy violation": the key or tenant is gone. */
export const CLOSE_REVOKED = 1008;

/**
 * The open event streams, by key and tenant: a stream lives no longer than its key or its
 * tenant (issue 14). Revocation on this instance closes at once; see README for others.
 */
export class EventSessions {
  private readonly sessions = new Set<Session>();

  add(session: Session): () => void {
    this.sessions.add(session);
    return () => this.sessions.delete(session);
  }

  closeKey(keyId: string, why = 'API key revoked'): number {
    return this.close((s) => s.keyId === keyId, why);
  }

  closeTenant(tenantId: string, why = 'tenant deleted'): number {
    return this.close((s) => s.tenantId === tenantId || s.keyTenantId === tenantId, why);
  }

  private close(match: (s: Session) => boolean, why: string): number {
    let closed = 0;
    for (const s of [...this.sessions]) {
      if (!match(s)) continue;
      this.sessions.delete(s);
      s.socket.close(CLOSE_REVOKED, why);
      // A peer that does not answer the close handshake is cut off.
      setTimeout(() => s.socket.terminate(), 1000).unref();
      closed++;
    }
    return closed;
  }
}
