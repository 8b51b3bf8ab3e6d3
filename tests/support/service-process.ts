import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { TEST_ADMIN_KEY, eventually } from './harness';

const ROOT = path.resolve(__dirname, '../..');

/** The real service as its own process (tsx main.ts), so a test can SIGKILL it. */
export class ServiceProcess {
  readonly output: string[] = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout!.on('data', (d) => this.output.push(String(d)));
    child.stderr!.on('data', (d) => this.output.push(String(d)));
  }

  static async start(env: { DATABASE_URL: string; ARI_URL: string }): Promise<ServiceProcess> {
    const port = await freePort();
    // node itself with tsx as a loader: the tsx CLI would run the service in a grandchild
    // that a SIGKILL of the CLI leaves running.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'apps/parking/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env, HTTP_PORT: String(port), LOG_LEVEL: 'info', ADMIN_API_KEY: TEST_ADMIN_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, `http://127.0.0.1:${port}`);
    await eventually(async () => (await service.get('/healthz').catch(() => null))?.status === 200, 'the service to listen', 20_000);
    return service;
  }

  get(pathname: string): Promise<Response> {
    return fetch(`${this.url}${pathname}`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
  }

  async readiness(): Promise<{ status: number; ari: string }> {
    const res = await this.get('/readyz');
    return { status: res.status, ari: ((await res.json()) as { checks: { ari: string } }).checks.ari };
  }

  /** Resolves when the service is active, connected and reconciled. */
  async waitActive(): Promise<void> {
    await eventually(() => this.output.join('').includes('reconciled with Asterisk'), 'the service to be active', 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${this.output.join('').slice(-3000)}`);
    });
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
