/**
 * The seeds' console story (issue 17) on a real Asterisk, in Debian's Chromium: the receptionist
 * (phone 101) parks the caller she is talking to on 7001 from the board, Dr. Smith (201) takes
 * it by pressing the 7001 key (dialling 7001) and the tile is free again; a forgotten call
 * parked on 7002 comes back to her phone, marked, and the tile is free once she has it.
 */
import type { Page } from 'playwright-core';
import { buildConsoleForTests, launchChromium, signIn, tile } from '../browser/support/browser';
import { connectedCall, e2eFile } from './support/steps';
import type { Phone } from './support/phones';
import { waitBridged } from './support/asterisk';
import { header } from './support/sip-log';
import { waitFor } from './support/wait';

let build: Awaited<ReturnType<typeof buildConsoleForTests>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
// Before the world starts (hooks run in order): the service serves the console it finds here.
beforeAll(async () => {
  build = await buildConsoleForTests();
  process.env.CONSOLE_DIR = build.dir;
});
const { ctx, flow } = e2eFile({ tenant: { recallTimerSec: 5 } });
afterAll(async () => {
  await browser?.close();
  await build?.remove();
  delete process.env.CONSOLE_DIR;
});

flow('the receptionist console on a real Asterisk', (step) => {
  let reception: Phone;

  step('the receptionist signs in with her tenant key and picks her extension 101', async () => {
    const { world } = ctx;
    reception = await world.phones.register('101');
    await world.phones.register('201');
    const created = await world.api('POST', '/api/v1/api-keys', { name: 'reception', tenantId: world.tenantId });
    expect(created.status).toBe(201);
    browser = await launchChromium();
    page = await browser.context.newPage();
    await signIn(page, world.service.url, created.body.key, '101');
    await tile(page, '7001').and(page.locator('[data-state="free"]')).waitFor();
  });

  step('102 calls her; from "My calls" she parks it on 7001: music for the caller, her phone is free, the tile occupied', async () => {
    const { world } = ctx;
    const { answered, callerChannel, calleeChannel } = await connectedCall(world, '102', reception);
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    const mine = page.locator(`li.mycall[data-channel="${calleeChannel}"]`);
    await mine.getByRole('button', { name: 'Park', exact: true }).click();
    await tile(page, '7001').getByRole('button', { name: 'Park on slot 7001' }).click();
    await tile(page, '7001').and(page.locator('[data-state="occupied"]')).waitFor();
    expect(await tile(page, '7001').innerText()).toContain('102');
    await waitFor('the caller in the holding bridge', async () => (await world.asterisk.bridgeOf(callerChannel))?.bridge_type === 'holding');
    await answered.ended();
    expect(await world.asterisk.deviceState('Stasis:park-acme-7001')).toBe('INUSE');
  });

  step('Dr. Smith (201) presses the 7001 key: connected with the caller, the tile is free', async () => {
    const { world } = ctx;
    const call = world.service.service.ctx.lots.all().find((c) => c.placeKey === '7001')!;
    const line = await world.phones.call('201', '7001');
    await line.answered();
    const [doctor] = await world.asterisk.channelsOf('201');
    await waitBridged(world.asterisk, call.callerChannelId, doctor.id);
    await tile(page, '7001').and(page.locator('[data-state="free"]')).waitFor();
    await line.hangup();
  });

  step('a forgotten call on 7002 rings her phone again, marked "Park 7002"; she answers and talks to the caller, the tile is free', async () => {
    const { world } = ctx;
    const { callerChannel, calleeChannel } = await connectedCall(world, '103', reception);
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    await page.locator(`li.mycall[data-channel="${calleeChannel}"]`).getByRole('button', { name: 'Park', exact: true }).click();
    await tile(page, '7002').getByRole('button', { name: 'Park on slot 7002' }).click();
    await tile(page, '7002').and(page.locator('[data-state="occupied"]')).waitFor();
    // sipp phones answer at once, so the flashing "recalling" tile lasts only a moment here
    // (tests/browser/console.test.ts holds the ring to look at it).
    const ring = await reception.nextCall(20_000);
    await ring.answered();
    expect(header(ring.invite, 'from')).toMatch(/Park 7002/);
    const [back] = (await world.asterisk.channelsOf('101')).filter((c) => c.id !== calleeChannel);
    await waitBridged(world.asterisk, callerChannel, back.id);
    await tile(page, '7002').and(page.locator('[data-state="free"]')).waitFor();
    await ring.hangup();
  });
});
