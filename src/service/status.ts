/**
 * `mmt-sync service status`: installed (and up to date), enabled, running, and what the
 * last sync did. Reads only: it neither creates the journal nor asks for a login.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Journal } from '../journal/journal.js';
import { readLastSync, type LastSync } from '../journal/last-sync.js';
import type { ServiceContext, ServiceMode, ServicePlatform } from './context.js';
import { isGenerated, readIfExists, udevAdvice } from './files.js';
import { agentState, probeGuiDomain } from './launchctl.js';
import { AGENT_FILE, AGENT_LABEL, launchAgentsDir, renderAgent } from './launchd-agent.js';
import { readManifest } from './manifest.js';
import { probeUserManager, unitState, type Reachability } from './systemctl.js';
import { ALL_UNITS, DAEMON_UNIT, DEVICE_TEMPLATE, ONCE_TIMER, renderUnit, userUnitDir } from './systemd-units.js';

export interface ServiceUnitStatus {
  readonly name: string;
  readonly path: string;
  /** The file is what `service install` would write now (paths and config unchanged). */
  readonly current: boolean;
  readonly enabled: string;
  readonly active: string;
  readonly pid?: number;
  readonly lastExitCode?: string;
}

export interface ServiceStatusResult {
  readonly platform: ServicePlatform;
  readonly installed: boolean;
  readonly mode?: ServiceMode;
  readonly units: readonly ServiceUnitStatus[];
  readonly manager: Reachability;
  /** Linux: whether the udev rule for MTP watches is in place. */
  readonly udevRule?: { readonly path: string; readonly installed: boolean };
  readonly lastSync?: LastSync;
}

export function lastSync(stateDir: string): LastSync | undefined {
  if (!existsSync(join(stateDir, 'journal.sqlite'))) return undefined;
  const journal = Journal.open(stateDir);
  try {
    return readLastSync(journal);
  } catch {
    return undefined;
  } finally {
    journal.close();
  }
}

export async function serviceStatus(ctx: ServiceContext, env: NodeJS.ProcessEnv): Promise<ServiceStatusResult> {
  const manifest = readManifest(ctx.stateDir);
  const mode = manifest?.mode;
  const sync = lastSync(ctx.stateDir);
  const common = { platform: ctx.platform, ...(sync ? { lastSync: sync } : {}) };

  if (ctx.platform === 'darwin') {
    const manager = await probeGuiDomain(ctx.uid, env);
    const path = join(launchAgentsDir(ctx.home), AGENT_FILE);
    if (!existsSync(path)) return { ...common, installed: false, units: [], manager };
    const state = await agentState(ctx.uid, env);
    const expected = renderAgent({ ...ctx, mode: mode ?? (readIfExists(path)?.includes('<string>sync</string>') ? 'once' : 'daemon') });
    return {
      ...common,
      installed: true,
      ...(mode ? { mode } : {}),
      manager,
      units: [
        {
          name: AGENT_LABEL,
          path,
          current: readIfExists(path) === expected,
          enabled: state.loaded ? 'loaded' : 'not loaded',
          active: state.state,
          ...(state.pid ? { pid: state.pid } : {}),
          ...(state.lastExitCode ? { lastExitCode: state.lastExitCode } : {}),
        },
      ],
    };
  }

  const manager = await probeUserManager(env);
  const unitDir = userUnitDir(env, ctx.home);
  const units: ServiceUnitStatus[] = [];
  for (const name of ALL_UNITS) {
    const path = join(unitDir, name);
    if (!existsSync(path) || !isGenerated(path)) continue;
    // A template has no state of its own; its instances run for a minute after a plug-in.
    const state = name === DEVICE_TEMPLATE ? { enabled: 'static', active: 'per device' } : await unitState(name, unitDir, env, manager);
    let current = false;
    try {
      current = readIfExists(path) === renderUnit(name, ctx);
    } catch {
      current = false;
    }
    units.push({ name, path, current, enabled: state.enabled, active: state.active });
  }
  const udev = udevAdvice(ctx.packageRoot);
  return {
    ...common,
    installed: units.some((u) => u.name === DAEMON_UNIT || u.name === ONCE_TIMER),
    ...(mode ? { mode } : units.some((u) => u.name === ONCE_TIMER) ? { mode: 'once' as const } : units.length ? { mode: 'daemon' as const } : {}),
    units,
    manager,
    udevRule: { path: udev.target, installed: udev.installed },
  };
}
