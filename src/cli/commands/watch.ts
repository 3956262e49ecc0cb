import { runDaemon } from '../../daemon/daemon.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { requireFolders } from '../folders.js';
import type { Io } from '../io.js';

export interface WatchOptions extends GlobalOptions {
  readonly folder?: readonly string[];
  /** Seconds in-flight uploads get to finish after SIGTERM. */
  readonly grace?: number;
}

/** The daemon (the default with no command). Returns after SIGTERM/SIGINT, having journaled everything. */
export async function runWatch(options: WatchOptions, io: Io, signal: AbortSignal): Promise<void> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  await requireFolders(options.folder);
  // A daemon that cannot upload would watch and warn for nothing: say what is missing, and stop (exit 2 or 3).
  const [{ openAccountStore }, { requireLogin }] = await Promise.all([import('../../auth/account-store.js'), import('../../auth/ready.js')]);
  await requireLogin(openAccountStore(loaded.config, stateDir));
  let reload: (() => void) | undefined;
  const onHangup = () => {
    io.log.info('SIGHUP: reloading the configuration');
    reload?.();
  };
  process.on('SIGHUP', onHangup);
  try {
    await runDaemon({
      ...(options.config ? { configFile: options.config } : {}),
      folders: options.folder ?? [],
      stateDir,
      log: io.log,
      stop: signal,
      graceMs: (options.grace ?? 20) * 1000,
      onReady: (daemon) => {
        reload = daemon.reload;
      },
    });
  } finally {
    process.off('SIGHUP', onHangup);
  }
  io.log.info('stopped; everything is journaled');
}
