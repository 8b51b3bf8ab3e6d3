/**
 * The test's own view of Asterisk: ARI REST requests (independent of the service's ari-client)
 * to look at channels, bridges, device states and RTP counters, and the dialplan install.
 */
import { exec } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { E2eEnv } from './env';
import { waitFor } from './wait';

const run = promisify(exec);

export interface AriChannel {
  id: string;
  name: string;
  state: string;
  caller: { name: string; number: string };
  connected: { name: string; number: string };
  dialplan: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
}

export interface AriBridge {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  channels: string[];
}

export interface RtpStatistics {
  txcount: number;
  rxcount: number;
}

export class Asterisk {
  constructor(private readonly env: E2eEnv) {}

  private async request<T>(method: string, path: string): Promise<T> {
    const auth = Buffer.from(`${this.env.ariUsername}:${this.env.ariPassword}`).toString('base64');
    const response = await fetch(`${this.env.ariUrl}/ari${path}`, { method, headers: { Authorization: `Basic ${auth}` } });
    const text = await response.text();
    if (!response.ok) throw new Error(`ARI ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  info(): Promise<{ system: { version: string } }> {
    return this.request('GET', '/asterisk/info');
  }

  channels(): Promise<AriChannel[]> {
    return this.request('GET', '/channels');
  }

  async channel(id: string): Promise<AriChannel | null> {
    try {
      return await this.request<AriChannel>('GET', `/channels/${encodeURIComponent(id)}`);
    } catch (err) {
      if (/: 404 /.test((err as Error).message)) return null;
      throw err;
    }
  }

  /** Live channels of a phone (PJSIP/<number>). */
  async channelsOf(number: string): Promise<AriChannel[]> {
    return (await this.channels()).filter((c) => c.name.startsWith(`PJSIP/${number}-`));
  }

  bridges(): Promise<AriBridge[]> {
    return this.request('GET', '/bridges');
  }

  async bridgeOf(channelId: string): Promise<AriBridge | undefined> {
    return (await this.bridges()).find((b) => b.channels.includes(channelId));
  }

  async deviceState(name: string): Promise<string> {
    return (await this.request<{ state: string }>('GET', `/deviceStates/${encodeURIComponent(name)}`)).state;
  }

  async rtpStatistics(channelId: string): Promise<RtpStatistics | null> {
    try {
      return await this.request<RtpStatistics>('GET', `/channels/${encodeURIComponent(channelId)}/rtp_statistics`);
    } catch {
      return null;
    }
  }

  async createBridge(id: string, type: 'holding' | 'mixing'): Promise<void> {
    await this.request('POST', `/bridges/${encodeURIComponent(id)}?type=${type}&name=${encodeURIComponent(id)}`);
  }

  async destroyBridge(id: string): Promise<void> {
    await this.request('DELETE', `/bridges/${encodeURIComponent(id)}`).catch(() => undefined);
  }

  async hangup(channelId: string): Promise<void> {
    await this.request('DELETE', `/channels/${encodeURIComponent(channelId)}`).catch(() => undefined);
  }

  /** Writes the tenants' dialplan where Asterisk includes it, and reloads the dialplan. */
  async installDialplan(text: string): Promise<void> {
    writeFileSync(this.env.dialplanFile, text);
    await run(this.env.reloadCommand);
  }

  /** An Asterisk CLI command's output (diagnostics in failure messages). */
  async cli(command: string): Promise<string> {
    try {
      const { stdout } = await run(`${this.env.cliCommand} ${JSON.stringify(command)}`);
      return stdout;
    } catch (err) {
      return `(${command}: ${(err as Error).message})`;
    }
  }
}

/** Waits until the two channels share a bridge; returns it. */
export async function waitBridged(asterisk: Asterisk, a: string, b: string, timeoutMs = 10_000): Promise<AriBridge> {
  return waitFor(
    `channels ${a} and ${b} to be bridged`,
    async () => (await asterisk.bridges()).find((bridge) => bridge.channels.includes(a) && bridge.channels.includes(b)),
    { timeoutMs, detail: async () => JSON.stringify(await asterisk.bridges()) },
  );
}

/**
 * Waits until Asterisk has sent at least `packets` more RTP packets to each of the channels
 * (and received as many from them when `bothWays`): their phones get media.
 */
export async function waitForMedia(asterisk: Asterisk, channelIds: string[], packets = 25, opts: { bothWays?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const start = new Map<string, RtpStatistics>();
  for (const id of channelIds) {
    const stats = await asterisk.rtpStatistics(id);
    if (!stats) throw new Error(`channel ${id} has no RTP statistics (gone?)`);
    start.set(id, stats);
  }
  const progress = async () =>
    Promise.all(
      channelIds.map(async (id) => {
        const now = await asterisk.rtpStatistics(id);
        return { id, tx: (now?.txcount ?? 0) - start.get(id)!.txcount, rx: (now?.rxcount ?? 0) - start.get(id)!.rxcount };
      }),
    );
  await waitFor(
    `Asterisk to send ${packets} RTP packets to the phone of each of ${channelIds.join(', ')}${opts.bothWays ? ' and receive as many from it' : ''} (tx/rx: packets sent/received since)`,
    async () => (await progress()).every((p) => p.tx >= packets && (!opts.bothWays || p.rx >= packets)),
    { timeoutMs: opts.timeoutMs ?? 10_000, intervalMs: 100, detail: async () => JSON.stringify(await progress()) },
  );
}
