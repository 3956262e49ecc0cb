import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO } from './cli.js';

/** Debian's chromium (apt-get install chromium); never a downloaded browser build. */
export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    // playwright-core also gives it a fresh temporary --user-data-dir of its own.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Errors the page itself reports (a CSP violation is one): a page that works has none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/**
 * Where screenshots go: docs/screenshots/ when MMT_SYNC_SCREENSHOTS=1 (`npm run screenshots`
 * refreshes the README's pictures), else a temporary folder.
 */
export function screenshotDir(): string {
  if (process.env.MMT_SYNC_SCREENSHOTS === '1') {
    const dir = join(REPO, 'docs', 'screenshots');
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  return mkdtempSync(join(tmpdir(), 'mmt-sync-shots-'));
}
