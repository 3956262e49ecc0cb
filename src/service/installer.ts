/**
 * `mmt-sync service install|uninstall`: a list of steps (write, remove, run) worked out
 * first, then either printed (--dry-run) or carried out in order. Idempotent: unchanged
 * files are left alone and enabling twice changes nothing.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { failure } from '../errors.js';
import { writeFileAtomic } from '../fsutil/atomic-write.js';
import type { Logger } from '../log.js';
import type { ServiceContext, ServiceMode, ServicePlatform } from './context.js';
import { shellLine } from './escape.js';
import { run, firstLine } from './exec.js';
import { createDirs, isGenerated, missingDirs, readIfExists, removeEmptyDirs, udevAdvice, type UdevAdvice } from './files.js';
import { agentState, agentTarget, guiDomain, probeGuiDomain } from './launchctl.js';
import { AGENT_FILE, AGENT_LABEL, launchAgentsDir, renderAgent } from './launchd-agent.js';
import { readManifest, removeManifest, writeManifest } from './manifest.js';
import { probeUserManager, removeWantsLinks, systemctlUser, type Reachability } from './systemctl.js';
import { ALL_UNITS, ENABLED_UNITS, renderUnits, userUnitDir } from './systemd-units.js';

export interface ServiceFile {
  readonly path: string;
  readonly content: string;
  /** new: not there yet; changed: there with other content; unchanged: already right. */
  readonly state: 'new' | 'changed' | 'unchanged';
}

export interface ServiceCommand {
  readonly argv: readonly string[];
  /** planned (dry run), ran, failed, or pending: needs a service manager that was not reachable. */
  readonly state: 'planned' | 'ran' | 'failed' | 'pending';
  readonly detail?: string;
}

export interface ServiceActionResult {
  readonly action: 'install' | 'uninstall';
  readonly dryRun: boolean;
  readonly platform: ServicePlatform;
  readonly mode: ServiceMode;
  readonly files: readonly ServiceFile[];
  readonly removed: readonly string[];
  readonly createdDirs: readonly string[];
  readonly commands: readonly ServiceCommand[];
  /** Undefined on a dry run: nothing was asked. */
  readonly manager?: Reachability;
  /** One shell line to run once a service manager is reachable. */
  readonly later?: string;
  readonly udev?: UdevAdvice;
}

interface Command {
  readonly argv: string[];
  /** Failure is expected in some states (stopping what is not running) and not an error. */
  readonly tolerated?: boolean;
}

interface Plan {
  readonly files: Array<{ path: string; content: string }>;
  readonly remove: string[];
  readonly dirs: string[];
  readonly privateDirs: Set<string>;
  /** Run before files change (disable what goes away) and after (reload, enable). */
  readonly before: Command[];
  readonly after: Command[];
  /** Without a manager: what `disable` would have done to the unit folder. */
  readonly offlineDisable: string[];
  readonly unitDir: string;
  readonly enabled: string[];
}

export interface ServiceActionOptions {
  readonly dryRun: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
}

function fileState(path: string, content: string): ServiceFile['state'] {
  const existing = readIfExists(path);
  return existing === undefined ? 'new' : existing === content ? 'unchanged' : 'changed';
}

function planLinuxInstall(ctx: ServiceContext, env: NodeJS.ProcessEnv): Plan {
  const unitDir = userUnitDir(env, ctx.home);
  const units = renderUnits(ctx);
  const names = new Set(units.map((u) => u.name));
  const stale = ALL_UNITS.filter((name) => !names.has(name) && isGenerated(join(unitDir, name)));
  const enabled = units.filter((u) => u.enable).map((u) => u.name);
  const changedEnabled = units.filter((u) => u.enable && fileState(join(unitDir, u.name), u.content) === 'changed').map((u) => u.name);
  const staleEnabled = stale.filter((name) => ENABLED_UNITS.has(name));
  return {
    files: units.map((u) => ({ path: join(unitDir, u.name), content: u.content })),
    remove: stale.map((name) => join(unitDir, name)),
    dirs: [...missingDirs(ctx.stateDir), ...missingDirs(unitDir)],
    privateDirs: new Set(missingDirs(ctx.stateDir)),
    before: staleEnabled.length ? [{ argv: systemctlUser('disable', '--now', ...staleEnabled) }] : [],
    after: [
      { argv: systemctlUser('daemon-reload') },
      { argv: systemctlUser('enable', '--now', ...enabled) },
      ...(changedEnabled.length ? [{ argv: systemctlUser('try-restart', ...changedEnabled) }] : []),
    ],
    offlineDisable: staleEnabled,
    unitDir,
    enabled,
  };
}

function planLinuxUninstall(ctx: ServiceContext, env: NodeJS.ProcessEnv): Plan {
  const unitDir = userUnitDir(env, ctx.home);
  const listed = new Set(readManifest(ctx.stateDir)?.files ?? []);
  const present = ALL_UNITS.filter((name) => {
    const path = join(unitDir, name);
    return existsSync(path) && (listed.has(path) || isGenerated(path));
  });
  const enabled = present.filter((name) => ENABLED_UNITS.has(name));
  const others = present.filter((name) => !ENABLED_UNITS.has(name));
  return {
    files: [],
    remove: present.map((name) => join(unitDir, name)),
    dirs: [],
    privateDirs: new Set(),
    before: [
      ...(enabled.length ? [{ argv: systemctlUser('disable', '--now', ...enabled) }] : []),
      ...(others.length ? [{ argv: systemctlUser('stop', ...others.map((n) => n.replace('@.', '@*.'))), tolerated: true }] : []),
    ],
    after: present.length ? [{ argv: systemctlUser('daemon-reload') }] : [],
    offlineDisable: enabled,
    unitDir,
    enabled: [],
  };
}

function planDarwin(ctx: ServiceContext, action: 'install' | 'uninstall', loaded: boolean | undefined): Plan {
  const dir = launchAgentsDir(ctx.home);
  const path = join(dir, AGENT_FILE);
  const target = agentTarget(ctx.uid);
  if (action === 'uninstall') {
    const ours = existsSync(path) && (isGenerated(path) || (readManifest(ctx.stateDir)?.files ?? []).includes(path));
    return {
      files: [],
      remove: ours ? [path] : [],
      dirs: [],
      privateDirs: new Set(),
      before: ours || loaded ? [{ argv: ['launchctl', 'bootout', target], tolerated: true }] : [],
      after: [],
      offlineDisable: [],
      unitDir: dir,
      enabled: [],
    };
  }
  const content = renderAgent(ctx);
  const changed = fileState(path, content) !== 'unchanged';
  return {
    files: [{ path, content }],
    remove: [],
    dirs: [...missingDirs(ctx.stateDir), ...missingDirs(dir)],
    privateDirs: new Set(missingDirs(ctx.stateDir)),
    // launchd keeps the old definition until the agent is booted out and bootstrapped again.
    before: changed && loaded !== false && existsSync(path) ? [{ argv: ['launchctl', 'bootout', target], tolerated: true }] : [],
    after: [
      { argv: ['launchctl', 'enable', target] },
      ...(changed || loaded !== true ? [{ argv: ['launchctl', 'bootstrap', guiDomain(ctx.uid), path] }] : []),
    ],
    offlineDisable: [],
    unitDir: dir,
    enabled: [AGENT_LABEL],
  };
}

async function probe(ctx: ServiceContext, env: NodeJS.ProcessEnv): Promise<Reachability> {
  return ctx.platform === 'linux' ? probeUserManager(env) : probeGuiDomain(ctx.uid, env);
}

export async function installService(ctx: ServiceContext, options: ServiceActionOptions): Promise<ServiceActionResult> {
  return carryOut(ctx, 'install', options);
}

export async function uninstallService(ctx: ServiceContext, options: ServiceActionOptions): Promise<ServiceActionResult> {
  return carryOut(ctx, 'uninstall', options);
}

async function carryOut(ctx: ServiceContext, action: 'install' | 'uninstall', options: ServiceActionOptions): Promise<ServiceActionResult> {
  const { env, log, dryRun } = options;
  const manager = dryRun ? undefined : await probe(ctx, env);
  const loaded = ctx.platform === 'darwin' && manager?.reachable ? (await agentState(ctx.uid, env)).loaded : undefined;
  const plan =
    ctx.platform === 'darwin' ? planDarwin(ctx, action, loaded) : action === 'install' ? planLinuxInstall(ctx, env) : planLinuxUninstall(ctx, env);
  const files = plan.files.map((f) => ({ ...f, state: fileState(f.path, f.content) }));
  const udev = ctx.platform === 'linux' && (action === 'uninstall' || ctx.config.devices.autoDetect) ? udevAdvice(ctx.packageRoot) : undefined;
  const manifest = readManifest(ctx.stateDir);
  const result = (commands: ServiceCommand[], removed: string[], createdDirs: string[], later?: string): ServiceActionResult => ({
    action,
    dryRun,
    platform: ctx.platform,
    mode: action === 'uninstall' ? (manifest?.mode ?? ctx.mode) : ctx.mode,
    files,
    removed,
    createdDirs,
    commands,
    ...(manager ? { manager } : {}),
    ...(later ? { later } : {}),
    ...(udev ? { udev } : {}),
  });

  if (dryRun) {
    const commands = [...plan.before, ...plan.after].map((c) => ({ argv: c.argv, state: 'planned' as const }));
    return result(commands, plan.remove, plan.dirs);
  }

  const commands: ServiceCommand[] = [];
  const pending: string[][] = [];
  /** Without a manager, `before` commands are done by hand (offlineDisable); `after` ones wait for the user. */
  const runAll = async (list: readonly Command[], deferrable: boolean) => {
    for (const command of list) {
      if (!manager?.reachable) {
        commands.push({ argv: command.argv, state: 'pending' });
        if (deferrable) pending.push(command.argv);
        continue;
      }
      const outcome = await run(command.argv, { env, timeoutMs: 60_000 });
      if (outcome.code === 0 || command.tolerated) {
        commands.push({ argv: command.argv, state: 'ran', ...(outcome.code === 0 ? {} : { detail: firstLine(outcome) }) });
        log.debug(`ran ${shellLine(command.argv)}${outcome.code === 0 ? '' : ` (${firstLine(outcome)}; fine here)`}`);
      } else {
        commands.push({ argv: command.argv, state: 'failed', detail: firstLine(outcome) });
        throw failure('SERVICE_COMMAND_FAILED', `${shellLine(command.argv)} failed: ${firstLine(outcome)}`);
      }
    }
  };

  createDirs(plan.dirs, plan.privateDirs);
  const createdDirs = [...new Set([...(manifest?.createdDirs ?? []), ...plan.dirs])];
  const finish = (): ServiceActionResult => {
    if (action === 'install') {
      writeManifest(ctx.stateDir, { version: 1, platform: ctx.platform, mode: ctx.mode, files: plan.files.map((f) => f.path), createdDirs, enabled: plan.enabled });
    }
    const later = pending.length ? pending.map(shellLine).join(' && ') : undefined;
    return result(commands, plan.remove, plan.dirs, later);
  };
  try {
    await runAll(plan.before, false);
    if (!manager?.reachable && ctx.platform === 'linux') removeWantsLinks(plan.unitDir, plan.offlineDisable);
    for (const path of plan.remove) rmSync(path, { force: true });
    for (const file of files) {
      if (file.state !== 'unchanged') writeFileAtomic(file.path, file.content, 0o644);
    }
    if (action === 'uninstall') {
      removeManifest(ctx.stateDir);
      removeEmptyDirs(createdDirs);
    }
    await runAll(plan.after, action === 'install');
  } catch (error) {
    // Whatever was written stays listed, so uninstall can still take it away.
    if (action === 'install') finish();
    throw error;
  }
  return finish();
}
