/**
 * What `service install` created, so `service uninstall` removes exactly that: the files
 * it wrote and the directories that did not exist before it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../fsutil/atomic-write.js';
import type { ServiceMode, ServicePlatform } from './context.js';

export const MANIFEST_FILE = 'service-install.json';

export interface ServiceManifest {
  readonly version: 1;
  readonly platform: ServicePlatform;
  readonly mode: ServiceMode;
  /** Absolute paths of the files written. */
  readonly files: readonly string[];
  /** Directories install created (removed by uninstall when they are empty). */
  readonly createdDirs: readonly string[];
  /** Units or agents enabled. */
  readonly enabled: readonly string[];
}

export function manifestPath(stateDir: string): string {
  return join(stateDir, MANIFEST_FILE);
}

/** The manifest, or undefined when there is none or it is unreadable (uninstall then goes by the files' marker). */
export function readManifest(stateDir: string): ServiceManifest | undefined {
  try {
    const parsed = JSON.parse(readFileSync(manifestPath(stateDir), 'utf8')) as Partial<ServiceManifest>;
    if (parsed.version !== 1 || !Array.isArray(parsed.files) || !Array.isArray(parsed.createdDirs)) return undefined;
    return {
      version: 1,
      platform: parsed.platform === 'darwin' ? 'darwin' : 'linux',
      mode: parsed.mode === 'once' ? 'once' : 'daemon',
      files: parsed.files.filter((f): f is string => typeof f === 'string'),
      createdDirs: parsed.createdDirs.filter((d): d is string => typeof d === 'string'),
      enabled: Array.isArray(parsed.enabled) ? parsed.enabled.filter((u): u is string => typeof u === 'string') : [],
    };
  } catch {
    return undefined;
  }
}

export function writeManifest(stateDir: string, manifest: ServiceManifest): void {
  ensurePrivateDir(stateDir);
  writeFileAtomic(manifestPath(stateDir), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
}

export function removeManifest(stateDir: string): void {
  rmSync(manifestPath(stateDir), { force: true });
}
