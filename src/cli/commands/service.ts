import { resolve } from 'node:path';
import { failure, usageError } from '../../errors.js';
import { resolveServiceContext } from '../../service/context.js';
import { installService, uninstallService, type ServiceActionResult } from '../../service/installer.js';
import { runPlugged, type PluggedResult } from '../../service/plugged.js';
import { formatAction, formatStatus } from '../../service/report.js';
import { serviceStatus, type ServiceStatusResult } from '../../service/status.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface ServiceOptions extends GlobalOptions {
  /** install | uninstall | status; `plugged` is what mmt-sync-device@.service runs. */
  readonly action: string;
  readonly onceTimer?: boolean;
  readonly dryRun?: boolean;
}

const ACTIONS = ['install', 'uninstall', 'status', 'plugged'] as const;

export async function runService(options: ServiceOptions, io: Io, signal: AbortSignal): Promise<ServiceActionResult | ServiceStatusResult | PluggedResult> {
  const action = options.action;
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw usageError('SERVICE_ACTION', `service: expected install, uninstall or status, got "${action}"`);
  }
  const { loaded, stateDir } = await commandContext(options, io.log);
  const env = process.env;

  if (action === 'plugged') {
    const globals = [...(options.config ? ['--config', resolve(options.config)] : []), ...(options.verbose ? ['-v'] : []), ...(options.quiet ? ['-q'] : [])];
    return runPlugged({
      device: env.MMT_SYNC_USB_DEVICE ?? '',
      syncArgv: [process.execPath, process.argv[1]!, 'sync', ...globals],
      env,
      log: io.log,
      signal,
    });
  }

  const ctx = resolveServiceContext({
    mode: options.onceTimer ? 'once' : 'daemon',
    config: loaded.config,
    stateDir,
    ...(options.config ? { configFile: options.config } : {}),
    env,
  });

  if (/[\\/]_npx[\\/]/.test(ctx.cli)) {
    io.log.warn(`the service would run ${ctx.cli}, npx's temporary copy; install mmt-sync first (npm install -g mmt-sync) and run this again`);
  }

  if (action === 'status') {
    const status = await serviceStatus(ctx, env);
    io.out(options.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    if (!status.installed) throw failure('SERVICE_NOT_INSTALLED', 'the service is not installed: run `mmt-sync service install`');
    return status;
  }

  const result = action === 'install'
    ? await installService(ctx, { dryRun: Boolean(options.dryRun), env, log: io.log })
    : await uninstallService(ctx, { dryRun: Boolean(options.dryRun), env, log: io.log });
  io.out(options.json ? JSON.stringify(result, null, 2) : formatAction(result));
  if (result.later) io.log.warn(`no service manager reachable (${result.manager?.reason ?? 'unknown'}): files are in place, enabling waits for you`);
  return result;
}
