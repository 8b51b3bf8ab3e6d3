/// <reference lib="dom" />
// Functions passed to page.evaluate run in the page: they need the DOM types.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildConsole } from '../../../apps/console/build';

const ROOT = path.resolve(__dirname, '../../..');
/** Screenshots and figures of the browser tests (gitignored). */
export const ARTIFACTS = path.join(ROOT, 'artifacts', 'console');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Builds the console once per test file into a temporary folder (esbuild: well under a second). */
export async function buildConsoleForTests(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'console-build-'));
  await buildConsole(dir);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Debian's Chromium, headless, with a fresh profile: no browser download, nothing from the
 * network but the service under test.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Lets a test cut the page's WebSockets and refuse new ones until released: a real dropped
 * connection, with the reconnection held back until the test has made things happen meanwhile.
 */
export const WEBSOCKET_SWITCH = `(() => {
  const Real = window.WebSocket;
  const ctl = (window.__ws = { blocked: false, sockets: [], opened: 0 });
  window.WebSocket = class extends Real {
    constructor(url, protocols) {
      super(ctl.blocked ? 'ws://127.0.0.1:9/' : url, protocols);
      if (!ctl.blocked) { ctl.sockets.push(this); ctl.opened++; }
    }
  };
})();`;

export async function dropWebSockets(page: Page): Promise<void> {
  await page.evaluate(() => {
    const ctl = (window as unknown as { __ws: { blocked: boolean; sockets: WebSocket[] } }).__ws;
    ctl.blocked = true;
    for (const s of ctl.sockets.splice(0)) s.close();
  });
}

export async function restoreWebSockets(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __ws: { blocked: boolean } }).__ws.blocked = false));
}

/** Signs in with a key and picks my extension; resolves when the board is live. */
export async function signIn(page: Page, baseUrl: string, key: string, extension: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('My extension').selectOption(extension);
  await page.getByRole('button', { name: 'Open the board' }).click();
  await page.locator('.board[data-stale="false"]').waitFor();
}

/** A slot tile. */
export const tile = (page: Page, slot: string) => page.locator(`li.tile[data-slot="${slot}"]`);

/** Waits until the board has applied the tenant's events up to `seq` (several may land in one render). */
export async function boardAt(page: Page, seq: number, live = true): Promise<void> {
  await page.waitForFunction(
    ([s, l]) => {
      const board = document.querySelector<HTMLElement>('.board');
      return !!board && Number(board.dataset.seq) >= s && (!l || board.dataset.stale === 'false');
    },
    [seq, live] as const,
  );
}
