/**
 * The service under test in its own process (so its memory and CPU are its own): the built
 * `dist/apps/parking/src/main.js`, exactly what `npm start` runs, rebuilt first when a
 * source is newer than the build. A preloaded probe (probe.cjs) answers memory/CPU questions
 * over IPC; /proc/<pid> is the cross-check.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sleep } from './stats';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'dist/apps/parking/src/main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.(ts|js|json)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist is missing or older than apps/ or generated/. */
export function ensureBuilt(log: (msg: string) => void): void {
  const sources = Math.max(newestMtime(path.join(ROOT, 'apps')), existsSync(path.join(ROOT, 'generated')) ? newestMtime(path.join(ROOT, 'generated')) : 0);
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= sources) return;
  log('building the service (npm run build)...');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface Usage {
  /** process.memoryUsage() of the service (bytes). */
  memory: NodeJS.MemoryUsage;
  /** process.cpuUsage() (µs). */
  cpu: NodeJS.CpuUsage;
  elu: { idle: number; active: number; utilization: number };
}

export interface ServiceProcess {
  pid: number;
  url: string;
  stderr(): string;
  /** Memory (after a full GC when `gc`) and CPU of the service. */
  usage(gc?: boolean): Promise<Usage>;
  /** VmRSS and utime+stime (ms) from /proc, or null where there is no /proc. */
  proc(): { rssBytes: number; cpuMs: number } | null;
  readyz(): Promise<{ status: number; body: any }>;
  waitReady(timeoutMs: number): Promise<void>;
  /** Resolves when the service's queued database writes are all applied. */
  waitDrained(timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would (the soak run): resolves when the process is gone. */
  kill(): Promise<void>;
}

export async function startService(
  env: Record<string, string>,
  log: (msg: string) => void,
  opts: { profileDir?: string; logFile?: string } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const profile = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [];
  const child: ChildProcess = fork(MAIN, [], {
    cwd: ROOT,
    env: { ...process.env, ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), NODE_OPTIONS: '' },
    execArgv: ['--expose-gc', ...profile, '--require', path.join(__dirname, 'probe.cjs')],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  if (opts.logFile) {
    const file = createWriteStream(opts.logFile);
    child.stdout!.pipe(file);
    child.stderr!.pipe(file);
  }
  let exited: number | null = null;
  // If the bench dies, the service must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.on('exit', (code, signal) => {
    exited = code ?? -1;
    if (signal) output += `\n(killed by ${signal})`;
    process.removeListener('exit', killOnExit);
  });
  const pending = new Map<number, (u: Usage) => void>();
  let nextId = 1;
  child.on('message', (msg: any) => {
    if (msg?.probe === 'usage') pending.get(msg.id)?.(msg as Usage);
  });
  const url = `http://127.0.0.1:${port}`;

  const readyz = async () => {
    const res = await fetch(`${url}/readyz`);
    const body: any = await res.json().catch(() => null);
    return { status: res.status, body };
  };

  const svc: ServiceProcess = {
    pid: child.pid!,
    url,
    stderr: () => output,
    usage(gc = false) {
      if (exited !== null) return Promise.reject(new Error(`service exited (${exited}): ${output}`));
      const id = nextId++;
      return new Promise<Usage>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('service probe did not answer')), 10_000);
        pending.set(id, (u) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(u);
        });
        child.send({ probe: 'usage', id, gc });
      });
    },
    proc() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
        const hz = 100; // USER_HZ on Linux
        return { rssBytes: rssKb * 1024, cpuMs: (ticks * 1000) / hz };
      } catch {
        return null;
      }
    },
    readyz,
    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        if (exited !== null) throw new Error(`the service exited with ${exited}:\n${output}`);
        try {
          const r = await readyz();
          if (r.status === 200) return;
          last = JSON.stringify(r.body);
        } catch (err) {
          last = (err as Error).message;
        }
        await sleep(100);
      }
      throw new Error(`the service was not ready after ${timeoutMs} ms (${last}):\n${output}`);
    },
    async waitDrained(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let pendingWrites = -1;
      while (Date.now() < deadline) {
        const r = await readyz().catch(() => null);
        pendingWrites = r?.body?.checks?.pendingWrites ?? -1;
        if (pendingWrites === 0) return 0;
        await sleep(50);
      }
      return pendingWrites;
    },
    async stop() {
      if (exited !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
    async kill() {
      if (exited !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await gone;
    },
  };
  return svc;
}
