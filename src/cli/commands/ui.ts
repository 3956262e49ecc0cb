import { usageError } from '../../errors.js';
import { startDashboard } from '../../ui/dashboard.js';
import { mintUrlForRunning } from '../../ui/handoff.js';
import { openDashboardInBrowser } from '../../ui/open-browser.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface UiOptions extends GlobalOptions {
  /** Port on 127.0.0.1 (0: any free one); default ui.port. */
  readonly port?: number;
  /** false with --no-browser: print the URL only. */
  readonly browser?: boolean;
  /** Mint a URL into the dashboard already running, print it, and exit. */
  readonly printUrl?: boolean;
}

/**
 * The dashboard. Prints its URL (with a one-time token) alone on the first line of stdout,
 * opens it in the browser, and serves until Ctrl-C/SIGTERM. When a dashboard already runs
 * for this state directory (the daemon's, with ui.enabled), the URL is for that one.
 */
export async function runUi(options: UiOptions, io: Io, signal: AbortSignal): Promise<{ url: string }> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  const running = options.port === undefined || options.printUrl ? await mintUrlForRunning(stateDir) : undefined;
  if (options.printUrl) {
    if (!running) throw usageError('UI_NOT_RUNNING', 'no dashboard is running: start one with `mmt-sync ui`, or set `ui.enabled: true` for the daemon');
    io.out(running);
    return { url: running };
  }
  if (running) {
    io.out(running);
    io.log.info('the dashboard is already running (served by another mmt-sync process); this link opens it');
    if (options.browser !== false) await openDashboardInBrowser(running, stateDir, io.log);
    return { url: running };
  }
  const dashboard = await startDashboard({
    stateDir,
    config: () => loaded.config,
    log: io.log,
    port: options.port ?? loaded.config.ui.port,
    servedByDaemon: false,
  });
  try {
    const url = dashboard.mintUrl();
    io.out(url);
    io.log.info(`dashboard on ${dashboard.address} (the link above works once; \`mmt-sync ui --print-url\` makes another); Ctrl-C stops it`);
    if (options.browser !== false) await openDashboardInBrowser(url, stateDir, io.log);
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return { url };
  } finally {
    await dashboard.close();
  }
}
