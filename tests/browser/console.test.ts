/// <reference lib="dom" />
// Functions passed to page.evaluate run in the page: they need the DOM types.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { TEST_ADMIN_KEY, eventually, startHarness, type Harness } from '../support/harness';
import { ARTIFACTS, WEBSOCKET_SWITCH, boardAt, buildConsoleForTests, dropWebSockets, launchChromium, restoreWebSockets, signIn, tile } from './support/browser';

jest.setTimeout(60_000);

/**
 * The receptionist console in a real headless Chromium, against the real service, the fake
 * Asterisk and PostgreSQL (issue 17). I am extension 101.
 */
describe('receptionist console in Chromium', () => {
  let h: Harness;
  let build: Awaited<ReturnType<typeof buildConsoleForTests>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let key: string;

  beforeAll(async () => {
    build = await buildConsoleForTests();
    h = await startHarness({ env: { CONSOLE_DIR: build.dir } });
    browser = await launchChromium();
    context = browser.context;
    await context.addInitScript(WEBSOCKET_SWITCH);
    // A receptionist's key is scoped to her tenant.
    const res = await api('POST', '/api/v1/api-keys', { name: 'reception', tenantId: h.tenantId });
    key = ((await res.json()) as { key: string }).key;
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await build?.remove();
  });
  beforeEach(async () => {
    page = await context.newPage();
  });
  afterEach(async () => {
    await page.close();
    // Each test leaves nothing parked and no call up for the next.
    for (const c of h.fake.channels()) h.fake.hangup(c.id);
    await eventually(() => h.running.service.parked(h.tenantId).length === 0 && h.fake.channels().length === 0, 'all calls gone');
  });

  function api(method: string, url: string, body?: unknown) {
    return fetch(`${h.running.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  }
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  /** 102 calls me (101) and I transfer the caller to `exten`: the caller is parked there. */
  async function transferToPark(exten: string, from = '102') {
    const call = h.fake.call(from, '101');
    h.fake.blindTransfer(call.calleeChannelId, exten);
    await eventually(() => h.running.service.parked(h.tenantId).some((c) => c.callerChannelId === call.callerChannelId), `parked via ${exten}`);
    return call;
  }
  const position = () => h.running.events.position(h.tenantId).seq;

  it('a bad key shows the sign-in error, and nothing of the board', async () => {
    await page.goto(`${h.running.url}/console/`);
    await page.getByLabel('API key').fill('pk_not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('That API key was not accepted');
    expect(await page.locator('.board').count()).toBe(0);
    expect(page.url()).not.toContain('pk_');
  });

  it('a phone parks by transfer and the tile turns occupied: caller, parker, method, times', async () => {
    await signIn(page, h.running.url, key, '101');
    await tile(page, '7001').locator('text=free').waitFor();
    await shot('board-free');
    const started = Date.now();
    await transferToPark('7001');
    await tile(page, '7001').and(page.locator('[data-state="occupied"]')).waitFor();
    const tookMs = Date.now() - started;
    const text = await tile(page, '7001').innerText();
    expect(text).toMatch(/102/);
    expect(text).toMatch(/parked by 101 · transfer/);
    expect(text).toMatch(/waiting \d+:\d\d · recall in \d+:\d\d/);
    expect(tookMs).toBeLessThan(1000);
    await shot('board-occupied');
    // The key is in sessionStorage, not in any URL the page used.
    expect(page.url()).not.toContain(key);
    expect(await page.evaluate(() => sessionStorage.getItem('parking-console.session'))).toContain(key);
  });

  it('"Retrieve to my phone" rings my phone on the fake; answered, I am bridged with the caller and the tile is free', async () => {
    await signIn(page, h.running.url, key, '101');
    const { callerChannelId } = await transferToPark('7002');
    h.fake.setPhoneBehavior('101', 'manual');
    try {
      const invitesBefore = h.fake.phone('101').invites.length;
      await tile(page, '7002').getByRole('button', { name: /Retrieve .* to my phone/ }).click();
      await h.fake.waitFor(() => h.fake.phone('101').invites.length > invitesBefore, 2000, 'my phone rings');
      const ring = h.fake.phone('101').invites.at(-1)!;
      expect(ring.callerId.name).toMatch(/^Park 7002/);
      await page.getByText('Your phone is ringing').waitFor();
      h.fake.answer(ring.channelId);
      await h.fake.waitFor(() => h.fake.bridgedWith(callerChannelId).includes(ring.channelId), 2000, 'bridged with the caller');
      await tile(page, '7002').and(page.locator('[data-state="free"]')).waitFor();
    } finally {
      h.fake.setPhoneBehavior('101', 'answer');
    }
  });

  it('parks from "My calls": Park then a free slot, and by dragging the call onto a tile', async () => {
    await signIn(page, h.running.url, key, '101');
    const first = h.fake.call('103', '101');
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    const mine = page.locator(`li.mycall[data-channel="${first.calleeChannelId}"]`);
    await mine.getByRole('button', { name: 'Park', exact: true }).click();
    await tile(page, '7003').getByRole('button', { name: 'Park on slot 7003' }).click();
    await tile(page, '7003').and(page.locator('[data-state="occupied"]')).waitFor();
    await h.fake.waitFor(() => h.fake.bridgeOf(first.callerChannelId)?.bridge_type === 'holding', 2000, 'caller in the holding bridge');
    expect(h.fake.mohOf(first.callerChannelId)).not.toBeNull(); // the caller hears music
    await h.fake.waitFor(() => h.fake.channel(first.calleeChannelId) === undefined, 2000, 'I am disconnected');
    expect(await tile(page, '7003').innerText()).toMatch(/parked by 101 · console/);

    const second = h.fake.call('202', '101');
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    await page.locator(`li.mycall[data-channel="${second.calleeChannelId}"]`).dragTo(tile(page, '7001'));
    await tile(page, '7001').and(page.locator('[data-state="occupied"]')).waitFor();
    expect(await tile(page, '7001').innerText()).toContain('202');
    await h.running.store.drained();
    const rows = await h.db.prisma.parkedCall.findMany({ where: { state: 'PARKED' }, orderBy: { place: 'asc' } });
    expect(rows.map((r) => [r.place, r.callerNumber, r.parkerExtension, r.method])).toEqual([
      ['7001', '202', '101', 'API'],
      ['7003', '103', '101', 'API'],
    ]);
  });

  it('a recall flashes the tile and says it is ringing back to my phone', async () => {
    await signIn(page, h.running.url, key, '101');
    h.fake.setPhoneBehavior('101', 'manual');
    try {
      await transferToPark('7001');
      await tile(page, '7001').and(page.locator('[data-state="occupied"]')).waitFor();
      h.clock.advance(121_000);
      const recalling = tile(page, '7001').and(page.locator('[data-state="recalling"]'));
      await recalling.waitFor();
      expect(await recalling.innerText()).toContain('Ringing back to your phone');
      await page.getByText('A parked call is coming back to you').waitFor();
      expect(await recalling.evaluate((el) => getComputedStyle(el).animationName)).toBe('flash');
      await shot('board-recalling');
      await page.screenshot({ path: path.join(ARTIFACTS, 'console.png') });
    } finally {
      h.fake.setPhoneBehavior('101', 'answer');
    }
  });

  it('a dropped WebSocket resumes with ?since=: no event missed, none doubled, no new snapshot needed', async () => {
    await signIn(page, h.running.url, key, '101');
    const board = page.locator('.board');
    const startSeq = Number(await board.getAttribute('data-seq'));
    await dropWebSockets(page);
    await page.locator('.board[data-stale="true"]').waitFor();
    // Meanwhile: a park and a hang-up the board cannot hear.
    await transferToPark('7002');
    const gone = await transferToPark('7003', '103');
    h.fake.hangup(gone.callerChannelId);
    await eventually(() => h.running.service.parked(h.tenantId).length === 1, 'one left parked');
    expect(await tile(page, '7002').getAttribute('data-state')).toBe('free'); // stale, and says so
    await restoreWebSockets(page);
    await boardAt(page, position());
    expect(await tile(page, '7002').getAttribute('data-state')).toBe('occupied');
    expect(await tile(page, '7003').getAttribute('data-state')).toBe('free');
    expect(Number(await board.getAttribute('data-applied'))).toBe(position() - startSeq);
    expect(await board.getAttribute('data-snapshots')).toBe('1');
  });

  it('errors a person understands: a slot taken meanwhile, and Asterisk down (board marked stale)', async () => {
    await signIn(page, h.running.url, key, '101');
    const mineCall = h.fake.call('103', '101');
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    await dropWebSockets(page); // the board does not see 7001 being taken
    await transferToPark('7001', '202');
    await page.locator(`li.mycall[data-channel="${mineCall.calleeChannelId}"]`).getByRole('button', { name: 'Park', exact: true }).click();
    await tile(page, '7001').getByRole('button', { name: 'Park on slot 7001' }).click();
    await page.getByRole('alert').filter({ hasText: 'That slot was taken a moment ago' }).waitFor();
    expect(h.fake.bridgedWith(mineCall.callerChannelId)).toEqual([mineCall.calleeChannelId]); // nothing lost: still talking
    await restoreWebSockets(page);
    await tile(page, '7001').and(page.locator('[data-state="occupied"]')).waitFor();

    h.fake.dropWebSocket({ refuse: true });
    try {
      await eventually(() => h.running.connection.state !== 'connected', 'ARI down');
      await tile(page, '7001').getByRole('button', { name: /Hang up/ }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Hang up' }).click();
      await page.getByRole('alert').filter({ hasText: 'The phone system is not reachable right now' }).waitFor();
      await page.locator('.board[data-stale="true"]').waitFor();
    } finally {
      h.fake.restoreWebSocket();
    }
    await eventually(() => h.running.connection.state === 'connected', 'ARI back');
    expect(h.running.service.parked(h.tenantId)).toHaveLength(1); // the caller is still parked
  });

  it('keeps the board correct through 100 parks and retrieves in a minute', async () => {
    await signIn(page, h.running.url, key, '101');
    const board = page.locator('.board');
    const startSeq = Number(await board.getAttribute('data-seq'));
    const started = Date.now();
    for (let round = 0; round < 50; round++) {
      const slot = ['7001', '7002', '7003'][round % 3];
      await transferToPark(slot);
      // Dialling the slot retrieves it (R4): someone picks it up.
      h.fake.dial('202', slot);
      await eventually(() => !h.running.service.parked(h.tenantId).some((c) => c.placeKey === slot), `retrieved from ${slot}`);
    }
    expect(Date.now() - started).toBeLessThan(60_000);
    await boardAt(page, position());
    for (const slot of ['7001', '7002', '7003']) expect(await tile(page, slot).getAttribute('data-state')).toBe('free');
    expect(Number(await board.getAttribute('data-applied'))).toBe(position() - startSeq);
    const types = h.events.filter((e) => e.tenantId === h.tenantId && e.seq > startSeq).map((e) => e.type);
    expect(types.filter((t) => t === 'parked')).toHaveLength(50);
    expect(types.filter((t) => t === 'retrieved')).toHaveLength(50);
  });
});
