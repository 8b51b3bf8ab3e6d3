import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';

/**
 * Active/standby (O6): only the holder of a PostgreSQL session advisory lock may own the
 * ARI application (Asterisk lets one WebSocket own an app). PostgreSQL releases the lock
 * when the holder's connection ends, so a standby takes over within `retryMs` of the
 * active instance's death. Events: 'acquired', 'lost' (connection to the database broke),
 * 'taken' (after a loss, another instance holds the lock now).
 */
export class LeaderLock extends EventEmitter {
  held = false;
  private client: pg.Client | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private everHeld = false;
  private standbyLogged = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly name: string,
    private readonly log: Logger,
    private readonly retryMs = 1000,
  ) {
    super();
  }

  start(): void {
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.held = false;
    await client?.end().catch(() => undefined); // ending the session releases the lock
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('error', () => undefined); // reported through 'end'
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`call-parking:${this.name}`]);
      if (this.stopped) return void client.end().catch(() => undefined);
      if (rows[0].locked) {
        this.client = client;
        this.held = true;
        client.once('end', () => this.onConnectionLost(client));
        this.log.info({ lock: this.name }, 'this instance is active');
        this.emit('acquired');
        this.everHeld = true;
        return;
      }
      await client.end();
      if (this.everHeld) {
        this.log.error('another instance holds the lock now');
        this.emit('taken');
        return;
      }
      if (!this.standbyLogged) this.log.info({ lock: this.name }, 'standby: another instance is active');
      this.standbyLogged = true;
      this.emit('standby');
    } catch (err) {
      await client.end().catch(() => undefined);
      this.log.warn({ err: (err as Error).message }, 'lock attempt failed; database unreachable?');
    }
    this.schedule();
  }

  private onConnectionLost(client: pg.Client): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    this.held = false;
    this.log.warn('lost the database session holding the lock; trying to take it back');
    this.emit('lost');
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), this.retryMs);
    this.timer.unref();
  }
}
