/**
 * The package as a user gets it: `npm pack`, then `npm install -g --prefix DIR` of the
 * tarball. Used by the pack-and-install test and the package benchmark (never shipped).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface Packed {
  readonly tarball: string;
  /** Bytes of the .tgz. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
}

export interface Installed {
  readonly prefix: string;
  /** `PREFIX/bin/mmt-sync`, the link npm made. */
  readonly bin: string;
  /** `PREFIX/lib/node_modules/mmt-sync`. */
  readonly packageDir: string;
  /** PATH with this Node first, so the bin's `#!/usr/bin/env node` runs the Node of the caller. */
  readonly path: string;
}

const npm = (args: readonly string[], cwd: string): string =>
  execFileSync('npm', [...args], { cwd, encoding: 'utf8', env: { ...process.env, PATH: withThisNode(process.env.PATH) }, stdio: ['ignore', 'pipe', 'pipe'] });

function withThisNode(path: string | undefined): string {
  return [dirname(process.execPath), path].filter(Boolean).join(':');
}

/** `npm pack` of the checkout at `repo` (its dist/ must be built). */
export function pack(repo: string, destination = mkdtempSync(join(tmpdir(), 'mmt-sync-pack-'))): Packed {
  const [result] = JSON.parse(npm(['pack', '--json', '--pack-destination', destination, '--loglevel=error'], repo)) as Array<{
    filename: string;
    size: number;
    unpackedSize: number;
    files: PackedFile[];
  }>;
  if (!result) throw new Error('npm pack reported nothing');
  return { tarball: join(destination, result.filename), size: result.size, unpackedSize: result.unpackedSize, files: result.files };
}

export interface InstallOptions {
  /**
   * Skip install scripts and copy the checkout's already-built better-sqlite3 binding
   * instead of compiling it again (~1.5 min here); the package's own files and its
   * dependency tree are what is tested. @default true
   */
  readonly reuseNativeBuild?: boolean;
}

/** `npm install -g --prefix` of a tarball into a fresh folder, preferring npm's cache. */
export function installGlobally(repo: string, tarball: string, options: InstallOptions = {}): Installed {
  const reuse = options.reuseNativeBuild ?? true;
  const prefix = mkdtempSync(join(tmpdir(), 'mmt-sync-prefix-'));
  npm(['install', '-g', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...(reuse ? ['--ignore-scripts'] : [])], prefix);
  const packageDir = join(prefix, 'lib', 'node_modules', 'mmt-sync');
  if (reuse) {
    const binding = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    mkdirSync(dirname(join(packageDir, binding)), { recursive: true });
    copyFileSync(join(repo, binding), join(packageDir, binding));
  }
  return { prefix, bin: join(prefix, 'bin', 'mmt-sync'), packageDir, path: withThisNode(process.env.PATH) };
}
