import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { build, stop } from 'esbuild';

const SRC = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../apps/console' : '.');

/**
 * Builds the receptionist console into `outDir`: index.html, styles.css and one bundle
 * (Preact included: no CDN, works offline). The service serves that folder at /console.
 */
export async function buildConsole(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  // One build, then esbuild's service process is stopped: nothing of it outlives the build
  // (a test runner waiting for its children would otherwise never exit).
  try {
    await build({
      entryPoints: [path.join(SRC, 'src/main.tsx')],
      outfile: path.join(outDir, 'app.js'),
      bundle: true,
      minify: true,
      sourcemap: true,
      format: 'iife',
      target: ['es2022'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      logLevel: 'warning',
    });
  } finally {
    await stop();
  }
  await Promise.all(['index.html', 'styles.css'].map((f) => copyFile(path.join(SRC, f), path.join(outDir, f))));
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? 'dist/console');
  buildConsole(out).then(
    () => process.stdout.write(`console built in ${out}\n`),
    (err) => {
      process.stderr.write(`console build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
