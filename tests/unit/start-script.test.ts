import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `npm start` must let signals reach the service (issue 13): npm forwards SIGTERM/SIGINT to the
 * shell of the script, so the script has to `exec` node (a plain `a && node ...` leaves node a
 * child of that shell, which dies and orphans it). This runs the real start script through npm,
 * with the build step and the service swapped for stand-ins, and sends SIGTERM to npm.
 */
describe('npm start', () => {
  it('SIGTERM to the npm process reaches the service', async () => {
    const root = path.resolve(__dirname, '../..');
    const start: string = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'start-script-'));
    const marker = path.join(dir, 'got-sigterm');
    writeFileSync(
      path.join(dir, 'service.js'),
      `process.on('SIGTERM', () => { require('fs').writeFileSync(${JSON.stringify(marker)}, ''); process.exit(0); });
       setInterval(() => {}, 1000);
       console.log('pid ' + process.pid);`,
    );
    const script = start.replace('npm run build', 'true').replace('dist/apps/parking/src/main.js', 'service.js');
    expect(script).not.toBe(start); // the stand-ins were put in place
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'start-script', version: '1.0.0', scripts: { start: script } }));
    const npm = spawn('npm', ['start', '--silent'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    let servicePid = 0;
    try {
      servicePid = await new Promise<number>((resolve, reject) => {
        npm.stdout.on('data', (chunk: Buffer) => {
          const m = /pid (\d+)/.exec(chunk.toString());
          if (m) resolve(Number(m[1]));
        });
        npm.on('exit', () => reject(new Error('npm exited before the service started')));
      });
      const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
      npm.kill('SIGTERM');
      await exited;
      expect(existsSync(marker)).toBe(true);
    } finally {
      if (servicePid) {
        try {
          process.kill(servicePid, 'SIGKILL'); // only if it was orphaned
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
