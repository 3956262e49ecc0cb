import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { startDashboard, type Dashboard } from './dashboard.js';

/**
 * The daemon's dashboard (`ui.enabled: true`). A dashboard that cannot start (its port is
 * taken) is said once and the daemon goes on without it: uploads matter more.
 */
export async function serveDashboardForDaemon(options: {
  readonly stateDir: string;
  readonly config: () => Config;
  readonly log: Logger;
  /** "Retry now" and "Forget" wake the uploader. */
  readonly wake: () => void;
}): Promise<Dashboard | undefined> {
  try {
    const dashboard = await startDashboard({ ...options, port: options.config().ui.port, servedByDaemon: true, onQueueChanged: options.wake });
    options.log.info(`dashboard on ${dashboard.address}: open it with \`mmt-sync ui\` (or \`mmt-sync ui --print-url\`)`);
    return dashboard;
  } catch (error) {
    options.log.error(`dashboard not started: ${(error as Error).message}`);
    return undefined;
  }
}
