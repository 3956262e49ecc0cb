/** The small file operations install and uninstall share. */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensurePrivateDir } from '../fsutil/atomic-write.js';
import { UDEV_RULE, UDEV_RULES_DIR } from './systemd-units.js';
import { GENERATED_MARKER } from './templates.js';
import { shellLine } from './escape.js';

export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A file install wrote: it carries the marker. Anything else with the same name is the user's. */
export function isGenerated(path: string): boolean {
  return readIfExists(path)?.includes(GENERATED_MARKER) ?? false;
}

/** The directories `mkdir -p dir` would create, outermost first. */
export function missingDirs(dir: string): string[] {
  const missing: string[] = [];
  let current = dir;
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return missing;
}

export function createDirs(dirs: readonly string[], privateDirs: ReadonlySet<string>): void {
  for (const dir of dirs) {
    if (privateDirs.has(dir)) ensurePrivateDir(dir);
    else mkdirSync(dir, { recursive: true, mode: 0o755 });
  }
}

/** Removes the directories that are empty now, innermost first; returns those removed. */
export function removeEmptyDirs(dirs: readonly string[]): string[] {
  const removed: string[] = [];
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      if (readdirSync(dir).length === 0) {
        rmdirSync(dir);
        removed.push(dir);
      }
    } catch {
      // Gone already, or not ours to judge.
    }
  }
  return removed;
}

export interface UdevAdvice {
  /** The rule shipped in the package. */
  readonly source: string;
  readonly target: string;
  readonly rule: string;
  /** The one command a user runs as root to install it. */
  readonly sudo: string;
  /** The same rule is in place already (in /etc or a distribution's /usr/lib). */
  readonly installed: boolean;
  /** `sudo rm …`, when a rule is installed in /etc. */
  readonly removeCommand?: string;
}

export function udevAdvice(packageRoot: string): UdevAdvice {
  const source = join(packageRoot, 'systemd', UDEV_RULE);
  const target = join(UDEV_RULES_DIR, UDEV_RULE);
  const rule = readFileSync(source, 'utf8');
  const installed = [target, join('/usr/lib/udev/rules.d', UDEV_RULE), join('/lib/udev/rules.d', UDEV_RULE)].some((path) => readIfExists(path) === rule);
  return {
    source,
    target,
    rule,
    sudo: shellLine(['sudo', 'install', '-m', '0644', source, target]),
    installed,
    ...(existsSync(target) ? { removeCommand: shellLine(['sudo', 'rm', target]) } : {}),
  };
}
