/**
 * `npm run bench`: the service against the fake Asterisk (always available).
 * `npm run bench -- --ari-url http://127.0.0.1:8088 --sip 127.0.0.1:5060`: against a real
 * Asterisk with sipp phones (opt-in, see tests/bench/README.md).
 *
 * Prints a table and writes bench-results/<timestamp>.json and bench-results/latest.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeBench, defaultFakeOptions, type FakeBenchOptions } from './fake-bench';
import { summarizeProfile } from './lib/profile-summary';
import { runRealBench } from './real-bench';
import { renderFakeReport, targets } from './report';
import { argValue } from './lib/stats';

const ROOT = path.resolve(__dirname, '../..');

const HELP = `usage: npm run bench [-- options]

  --samples N        park/retrieve cycles per level (default ${defaultFakeOptions.samples})
  --quick            a short smoke run (50 cycles, 2 ramp steps, 200 recalls)
  --no-ramp          skip the sustained-rate ramp
  --no-recall        skip the recall phase
  --profile          write a V8 CPU profile of the service and print where its CPU went
  --service-log      keep the service's whole log in bench-results/service-<timestamp>.log
  --service-log-level L   the service's LOG_LEVEL (default warn)
  --out DIR          results folder (default bench-results)
  --ari-url URL      run against a real Asterisk instead (opt-in; see tests/bench/README.md), with:
    --sip HOST:PORT          where sipp sends the calls (default 127.0.0.1:5060)
    --ari-user U --ari-password P   (default parking / parking)
    --calls N --rate R       calls per system and calls per second (default 500, 50)
    --plateau S              seconds with every call parked (default 5)
    --systems park,minimal,service   which to run (default all three)
    --asterisk-pid PID       for Asterisk's CPU (default: its pid file under /opt/asterisk or /var/run)
    --sipp PATH --local-ip IP --keep-logs
`;

function environment(database: string) {
  const cpus = os.cpus();
  return {
    when: new Date().toISOString(),
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? '',
    loadAverage: os.loadavg(),
    database,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const outDir = path.resolve(ROOT, argValue(args, '--out') ?? 'bench-results');
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const ariUrl = argValue(args, '--ari-url');
  if (ariUrl) {
    const result = await runRealBench({ ariUrl, sip: argValue(args, '--sip'), args, log });
    write(outDir, stamp, result.json);
    process.stdout.write(`${result.text}\n`);
    return;
  }

  const samples = Number(argValue(args, '--samples') ?? defaultFakeOptions.samples);
  if (!Number.isInteger(samples) || samples < 10) throw new Error('--samples must be an integer >= 10');
  const quick = args.includes('--quick');
  const profileDir = args.includes('--profile') ? path.join(outDir, `profile-${stamp}`) : undefined;
  const options: FakeBenchOptions = {
    ...defaultFakeOptions,
    samples,
    ...(quick ? { samples: 50, rampRates: [50, 200], rampStepMs: 3000, recallCalls: 200, recallTimerSec: 5, recallRate: 100 } : {}),
    ramp: !args.includes('--no-ramp'),
    recall: !args.includes('--no-recall'),
    profileDir,
    serviceLogLevel: argValue(args, '--service-log-level'),
    serviceLogFile: args.includes('--service-log') ? path.join(outDir, `service-${stamp}.log`) : undefined,
    log,
  };
  if (options.serviceLogFile) mkdirSync(outDir, { recursive: true });
  const env = environment(process.env.DATABASE_URL ? 'DATABASE_URL server' : 'embedded 18, default durability');
  const bench = new FakeBench(options);
  process.once('SIGINT', () => {
    log('interrupted: stopping the service, the fake and the database');
    void bench.tearDown().finally(() => process.exit(130));
  });
  const started = Date.now();
  let result: Record<string, any>;
  try {
    await bench.setUp();
    result = await bench.run();
  } finally {
    await bench.tearDown();
  }
  const json: Record<string, any> = {
    kind: 'fake',
    environment: { ...env, durationSec: Math.round((Date.now() - started) / 1000) },
    options: { ...options, log: undefined },
    targets: targets(result),
    results: result,
  };
  let text = renderFakeReport(result, env);
  if (profileDir) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      const p = summarizeProfile(path.join(profileDir, file), 12);
      json.profile = { file: path.join(profileDir, file), ...p };
      text +=
        `\n\nService CPU profile (${p.totalMs} ms busy, ${path.relative(ROOT, path.join(profileDir, file))}), self time by package:\n` +
        p.byArea.map((a) => `  ${String(a.pct).padStart(5)}%  ${a.area}`).join('\n');
    }
  }
  const written = write(outDir, stamp, json);
  process.stdout.write(`${text}\n\nrun took ${json.environment.durationSec} s; results: ${path.relative(ROOT, written)}\n`);
}

function write(outDir: string, stamp: string, json: unknown): string {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${stamp}.json`);
  const text = `${JSON.stringify(json, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(path.join(outDir, 'latest.json'), text);
  return file;
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
