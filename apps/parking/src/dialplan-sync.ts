import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { renderTenantDialplan } from './domain/dialplan';
import type { ConfigSource } from './ports';

export interface DialplanSyncOptions {
  /** The generated file, included from Asterisk's extensions.conf (ASTERISK_DIALPLAN_FILE). */
  file: string;
  app: string;
  configs: Pick<ConfigSource, 'allTenants'>;
  /** Makes Asterisk read it again: ARI PUT /asterisk/modules/pbx_config.so. */
  reload: () => Promise<void>;
  log: Logger;
  /** Configuration changes within this time make one write and one reload. */
  debounceMs?: number;
}

/**
 * B3: the service keeps the generated dialplan (feature codes, slots, hints) current itself:
 * after configuration changes, debounced, it writes the file atomically (temp file + rename,
 * so Asterisk never reads half a file) and reloads the dialplan through ARI. Unchanged text
 * is neither written nor reloaded. Failures are logged and retried on the next change or sync.
 */
export class DialplanSync {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private written: string | null = null;
  private dirty = false;

  constructor(private readonly o: DialplanSyncOptions) {}

  /** A configuration changed: write and reload soon. */
  schedule(): void {
    this.dirty = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.syncNow();
    }, this.o.debounceMs ?? 300);
    this.timer.unref();
  }

  /** Writes and reloads now if the text changed (also after an ARI reconnection: Asterisk may have restarted). */
  syncNow(force = false): Promise<void> {
    this.running = this.running.then(() => this.sync(force));
    return this.running;
  }

  /** Resolves once no write is pending or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.timer || this.dirty) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      await this.syncNow();
    }
    await this.running;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async sync(force: boolean): Promise<void> {
    this.dirty = false;
    try {
      const text = renderTenantDialplan(await this.o.configs.allTenants(), this.o.app);
      if (text === this.written && !force) return;
      const temp = path.join(path.dirname(this.o.file), `.${path.basename(this.o.file)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(temp, text, { mode: 0o644 });
        await rename(temp, this.o.file);
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        throw err;
      }
      await this.o.reload();
      this.written = text;
      this.o.log.info({ file: this.o.file }, 'dialplan written and reloaded');
    } catch (err) {
      this.o.log.error({ err, file: this.o.file }, 'dialplan not updated; retried on the next change or reconnection');
    }
  }
}
