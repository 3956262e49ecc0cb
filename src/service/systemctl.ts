/**
 * Talking to the systemd user manager. Nothing is faked: when no manager is reachable
 * (a container, `su` without a session, SSH without lingering) the caller is told so and
 * says which command to run later.
 */
import { existsSync, lstatSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { firstLine, run } from './exec.js';

export interface Reachability {
  readonly reachable: boolean;
  /** Why not, in the manager's own words. */
  readonly reason?: string;
}

export const systemctlUser = (...args: string[]): string[] => ['systemctl', '--user', ...args];

const LIVE_STATES = new Set(['initializing', 'starting', 'running', 'degraded', 'maintenance', 'stopping']);

export async function probeUserManager(env: NodeJS.ProcessEnv): Promise<Reachability> {
  const result = await run(systemctlUser('is-system-running'), { env, timeoutMs: 10_000 });
  const state = result.stdout.trim();
  if (LIVE_STATES.has(state)) return { reachable: true };
  const detail = result.stderr.trim() ? firstLine({ ...result, stdout: '' }) : result.failure ?? `\`systemctl --user is-system-running\` says "${state || 'nothing'}"`;
  return { reachable: false, reason: detail };
}

export interface UnitState {
  readonly unit: string;
  /** `enabled`, `disabled`, `static`, `not-found`, … or `unknown`. */
  readonly enabled: string;
  /** `active`, `inactive`, `failed`, `activating`, … or `unknown` without a manager. */
  readonly active: string;
}

async function systemctlWord(args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const result = await run(systemctlUser(...args), { env, timeoutMs: 10_000 });
  const word = result.stdout.trim().split('\n')[0]?.trim();
  return word && /^[a-z-]+$/.test(word) ? word : undefined;
}

/**
 * `is-enabled` also works without a manager on a machine not booted with systemd; where
 * it does not, the `.wants/` symlinks say the same thing.
 */
export async function unitState(unit: string, unitDir: string, env: NodeJS.ProcessEnv, manager: Reachability): Promise<UnitState> {
  const enabled = (await systemctlWord(['is-enabled', unit], env)) ?? (wantsLinks(unitDir, [unit]).length ? 'enabled' : existsSync(join(unitDir, unit)) ? 'disabled' : 'not-found');
  const active = manager.reachable ? ((await systemctlWord(['is-active', unit], env)) ?? 'unknown') : 'unknown';
  return { unit, enabled, active };
}

/** The `*.wants/` and `*.requires/` symlinks in the unit folder that point at these units. */
export function wantsLinks(unitDir: string, units: readonly string[]): string[] {
  const links: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(unitDir);
  } catch {
    return links;
  }
  for (const entry of entries) {
    if (!entry.endsWith('.wants') && !entry.endsWith('.requires')) continue;
    const dir = join(unitDir, entry);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        if (lstatSync(path).isSymbolicLink() && (units.includes(name) || units.includes(basename(readlinkSync(path))))) links.push(path);
      } catch {
        // Vanished meanwhile.
      }
    }
  }
  return links;
}

/** What `systemctl --user disable` does to the unit folder, for when no manager can do it. */
export function removeWantsLinks(unitDir: string, units: readonly string[]): string[] {
  const links = wantsLinks(unitDir, units);
  for (const link of links) rmSync(link, { force: true });
  return links;
}
