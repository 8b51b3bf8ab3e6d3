/// <reference lib="dom" />
// Functions passed to page.evaluate run in the page: they need the DOM types.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TEST_ADMIN_KEY, eventually, startHarness, type Harness } from '../support/harness';
import { ARTIFACTS, boardAt, buildConsoleForTests, launchChromium, signIn } from './support/browser';

jest.setTimeout(180_000);

const PARKED = 1000;

/** The board with 1000 parked calls: how long the browser takes per event (issue 17: within 100 ms). */
describe('console with 1000 parked calls', () => {
  let h: Harness;
  let build: Awaited<ReturnType<typeof buildConsoleForTests>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    build = await buildConsoleForTests();
    // Random-code parks: the lot never fills, like a busy switchboard's.
    h = await startHarness({ env: { CONSOLE_DIR: build.dir }, seed: { tenant: { parkMode: 'RANDOM_CODE', randomCodeDigits: 6 } } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await build?.remove();
  });

  const parkOne = async () => {
    const call = h.fake.call('102', '103');
    const res = await fetch(`${h.running.url}/api/v1/tenants/${h.tenantId}/parked-calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channelId: call.callerChannelId, parker: '101' }),
    });
    if (res.status !== 202) throw new Error(`park: ${res.status} ${await res.text()}`);
    return call.callerChannelId;
  };
  const parkedNow = () => h.running.service.parked(h.tenantId).filter((c) => c.state === 'PARKED').length;

  it(`renders ${PARKED} parked calls and applies each event within 100 ms`, async () => {
    for (let i = 0; i < PARKED; i += 25) await Promise.all(Array.from({ length: Math.min(25, PARKED - i) }, parkOne));
    await eventually(() => parkedNow() === PARKED, `${PARKED} parked`, 30_000);

    const page = await browser.context.newPage();
    const t0 = Date.now();
    await signIn(page, h.running.url, TEST_ADMIN_KEY, '101');
    await page.locator('li.row').nth(PARKED - 1).waitFor();
    const firstRenderMs = Date.now() - t0;
    expect(await page.locator('li.row').count()).toBe(PARKED);

    // 20 more parks and 20 hang-ups, one at a time; each shown before the next.
    await page.evaluate(() => ((window as unknown as { __consoleMetrics: { updates: number[] } }).__consoleMetrics.updates = []));
    const added: string[] = [];
    for (let i = 0; i < 20; i++) {
      added.push(await parkOne());
      await eventually(() => parkedNow() === PARKED + i + 1, 'parked');
      await boardAt(page, h.running.events.position(h.tenantId).seq);
    }
    for (const channelId of added) {
      h.fake.hangup(channelId);
      await eventually(() => !h.running.service.parked(h.tenantId).some((c) => c.callerChannelId === channelId), 'gone');
      await boardAt(page, h.running.events.position(h.tenantId).seq);
    }
    expect(await page.locator('li.row').count()).toBe(PARKED);
    const updates = await page.evaluate(() => (window as unknown as { __consoleMetrics: { updates: number[] } }).__consoleMetrics.updates);
    const sorted = [...updates].sort((a, b) => a - b);
    const figures = {
      parked: PARKED,
      firstRenderMs,
      events: updates.length,
      perEventMs: { mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50: sorted[Math.floor(sorted.length / 2)], p95: sorted[Math.floor(sorted.length * 0.95)], max: sorted.at(-1) },
    };
    await writeFile(path.join(ARTIFACTS, 'perf.json'), JSON.stringify(figures, null, 2));
    process.stdout.write(`console with ${PARKED} parked: ${JSON.stringify(figures)}\n`);
    expect(updates.length).toBeGreaterThanOrEqual(40);
    expect(figures.perEventMs.p95).toBeLessThan(100);
    await page.close();
  });
});
