import open from 'open';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fsutil/atomic-write.js';
import type { Logger } from '../log.js';
import { escapeHtml } from './pages/html.js';

/**
 * Opens the dashboard's one-time URL without putting it on a command line (where `ps`
 * shows it to every user of the machine): the browser is given a 0600 page in the 0700
 * state directory that forwards to the URL, as Jupyter does. Spent forwarders are removed
 * the next time one is written.
 */
const PREFIX = 'ui-open-';
const STALE_MS = 15 * 60_000;

export async function openDashboardInBrowser(url: string, stateDir: string, log: Logger): Promise<void> {
  for (const name of readdirSync(stateDir)) {
    if (!name.startsWith(PREFIX)) continue;
    const path = join(stateDir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
    } catch {
      // Gone already.
    }
  }
  const page = join(stateDir, `${PREFIX}${process.pid}-${Date.now()}.html`);
  const target = escapeHtml(url);
  writeFileAtomic(
    page,
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${target}"><title>mmt-sync</title><p><a href="${target}">Open the mmt-sync dashboard</a></p>`,
    0o600,
    { fsync: false },
  );
  await open(page).catch((error: Error) => log.warn(`could not open a browser (${error.message}); open the URL printed above`));
}
