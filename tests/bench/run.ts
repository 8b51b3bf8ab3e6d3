import { FakeBench, defaultFakeOptions } from './fake-bench';

async function main() {
  const quick = process.argv.includes('--quick');
  const bench = new FakeBench({
    ...defaultFakeOptions,
    ...(quick ? { samples: 50, rampRates: [50, 200], recallCalls: 200, recallTimerSec: 5 } : {}),
    ramp: !process.argv.includes('--no-ramp'),
    recall: !process.argv.includes('--no-recall'),
    log: (m) => process.stderr.write(`[bench] ${m}\n`),
  });
  try {
    await bench.setUp();
    const r = await bench.run();
    console.log(JSON.stringify(r, null, 1));
  } finally {
    await bench.tearDown();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
