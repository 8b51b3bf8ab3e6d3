import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildConsole } from '../../../apps/console/build';

describe('console build', () => {
  it('writes the page, its styles and one bundle', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'console-build-'));
    try {
      await buildConsole(dir);
      expect((await readdir(dir)).sort()).toEqual(['app.js', 'app.js.map', 'index.html', 'styles.css']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
