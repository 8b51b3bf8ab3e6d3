/**
 * The smallest ARI parking application there can be, for the real-Asterisk comparison
 * (tests/bench/README.md): on StasisStart answer, add to one holding bridge, start music on
 * the channel, light one device state: 4 requests per park, no database, no checks, no
 * recovery. It uses a capped keep-alive pool like the service (well under http.conf's
 * sessionlimit). On StasisEnd it turns the lamp off (the service does too).
 *
 * Run alone: `npx tsx tests/bench/minimal-app.ts http://127.0.0.1:8088 parking parking`.
 */
import http from 'node:http';
import WebSocket from 'ws';

export interface MinimalAppOptions {
  ariUrl: string;
  username: string;
  password: string;
  app?: string;
  /** Device names are Stasis:<lampPrefix><first Stasis argument>. */
  lampPrefix?: string;
  musicClass?: string;
  maxSockets?: number;
}

export interface MinimalApp {
  app: string;
  bridgeId: string;
  /** Parks completed, failed, and the lamps it set (to clean up). */
  stats: { parked: number; failed: number; lamps: Set<string> };
  stop(): Promise<void>;
}

export async function startMinimalApp(o: MinimalAppOptions): Promise<MinimalApp> {
  const app = o.app ?? 'bench-minimal';
  const lampPrefix = o.lampPrefix ?? 'bench-min-';
  const bridgeId = `${app}-holding`;
  const base = new URL(o.ariUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 32 });
  const auth = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`;
  const stats = { parked: 0, failed: 0, lamps: new Set<string>() };

  const ari = (method: string, path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: base.hostname, port: base.port || 80, method, path: `/ari${path}`, agent, headers: { Authorization: auth, 'Content-Length': 0 } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode! < 300 ? resolve(res.statusCode!) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end();
    });

  // The app must be registered (its WebSocket open) before its bridge can be made for it.
  const ws = new WebSocket(`${base.origin.replace(/^http/, 'ws')}/ari/events?app=${encodeURIComponent(app)}&api_key=${encodeURIComponent(`${o.username}:${o.password}`)}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await ari('POST', `/bridges/${bridgeId}?type=holding&name=${bridgeId}`).catch(() => undefined); // exists from an earlier run: fine
  const lampOf = new Map<string, string>();

  ws.on('message', (data) => {
    let event: any;
    try {
      event = JSON.parse(String(data));
    } catch {
      return;
    }
    if (event.type === 'StasisStart') {
      const id: string = event.channel.id;
      const lamp = `Stasis:${lampPrefix}${event.args?.[0] ?? id}`;
      lampOf.set(id, lamp);
      (async () => {
        await ari('POST', `/channels/${id}/answer`);
        await ari('POST', `/bridges/${bridgeId}/addChannel?channel=${id}`);
        await ari('POST', `/channels/${id}/moh?mohClass=${o.musicClass ?? 'default'}`);
        await ari('PUT', `/deviceStates/${encodeURIComponent(lamp)}?deviceState=INUSE`);
        stats.lamps.add(lamp);
        stats.parked++;
      })().catch(() => {
        stats.failed++;
        void ari('DELETE', `/channels/${id}`).catch(() => undefined);
      });
    } else if (event.type === 'StasisEnd') {
      const lamp = lampOf.get(event.channel.id);
      lampOf.delete(event.channel.id);
      if (lamp) void ari('PUT', `/deviceStates/${encodeURIComponent(lamp)}?deviceState=NOT_INUSE`).catch(() => undefined);
    }
  });

  return {
    app,
    bridgeId,
    stats,
    async stop() {
      ws.close();
      await ari('DELETE', `/bridges/${bridgeId}`).catch(() => undefined);
      await Promise.all([...stats.lamps].map((l) => ari('DELETE', `/deviceStates/${encodeURIComponent(l)}`).catch(() => undefined)));
      agent.destroy();
    },
  };
}

if (require.main === module) {
  const [ariUrl = 'http://127.0.0.1:8088', username = 'parking', password = 'parking'] = process.argv.slice(2);
  startMinimalApp({ ariUrl, username, password }).then(
    (a) => {
      process.stderr.write(`minimal ARI app "${a.app}" running; Ctrl-C stops it\n`);
      process.once('SIGINT', () => void a.stop().then(() => process.exit(0)));
    },
    (err) => {
      process.stderr.write(`${err}\n`);
      process.exit(1);
    },
  );
}
