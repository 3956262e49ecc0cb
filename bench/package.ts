/**
 * What a user downloads and installs: the tarball (files, packed and unpacked bytes) beside
 * what `files: ["dist"]` used to ship (the whole build output, source maps and all), and
 * the installed size of a real `npm install -g --prefix` (install scripts run, so
 * better-sqlite3 is compiled as on a user's machine), broken down by dependency.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { installGlobally, pack } from '../src/testing/package-install.js';
import { progress, runModule, type Check } from './lib/result.js';
import { round } from './lib/stats.js';

/** Bytes of every regular file under `dir` (what the files take, not the blocks). */
function treeBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files++;
  }
  return { bytes, files };
}

const MB = 1024 * 1024;
const mb = (bytes: number) => round(bytes / MB, 1);

await runModule('package', async () => {
  const repo = packageRoot();
  progress('npm pack');
  const packed = pack(repo);
  const shipped = packed.files.map((f) => f.path);
  const unwanted = shipped.filter((f) => /\.map$|^dist\/bench\/|^dist\/src\/(testing|demo)\//.test(f));
  const wholeDist = treeBytes(join(repo, 'dist'));
  const maps = readdirSync(join(repo, 'dist'), { recursive: true }).filter((f) => String(f).endsWith('.map')).length;

  progress('npm install -g --prefix (install scripts run: better-sqlite3 compiles)');
  const started = performance.now();
  const installed = installGlobally(repo, packed.tarball, { reuseNativeBuild: false });
  const installS = round((performance.now() - started) / 1000, 1);
  const version = spawnSync(installed.bin, ['--version'], { env: { ...process.env, PATH: installed.path }, encoding: 'utf8' });
  const total = treeBytes(installed.packageDir);
  const modules = join(installed.packageDir, 'node_modules');
  const byDependency = readdirSync(modules, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .flatMap((e) => (e.name.startsWith('@') ? readdirSync(join(modules, e.name)).map((n) => `${e.name}/${n}`) : [e.name]))
    .map((name) => ({ name, mb: mb(treeBytes(join(modules, name)).bytes) }))
    .sort((a, b) => b.mb - a.mb);
  const sqliteBuild = treeBytes(join(modules, 'better-sqlite3', 'build'));
  const own = total.bytes - treeBytes(modules).bytes;

  const checks: Check[] = [
    {
      id: 'tarball',
      what: 'npm pack: only what a user runs (no source maps, benchmarks, test helpers or demo), beside the whole dist/ that `files: ["dist"]` shipped',
      target: 'no .map, bench, testing or demo files',
      pass: unwanted.length === 0,
      headline: `${packed.files.length} files, ${round(packed.size / 1024)} kB packed, ${round(packed.unpackedSize / 1024)} kB unpacked`,
      numbers: {
        files: packed.files.length,
        packedBytes: packed.size,
        unpackedBytes: packed.unpackedSize,
        unwanted,
        control_wholeDist: { files: wholeDist.files, bytes: wholeDist.bytes, sourceMaps: maps },
      },
    },
    {
      id: 'installed-size',
      what: 'npm install -g --prefix of the tarball, install scripts run (better-sqlite3 compiled from source), size of lib/node_modules/mmt-sync',
      target: "measured; mmt-sync's own files smaller than the whole dist/ it used to ship",
      pass: version.status === 0 && own < wholeDist.bytes,
      headline: `${mb(total.bytes)} MB installed (mmt-sync itself ${mb(own)} MB), install ${installS} s`,
      numbers: {
        installedBytes: total.bytes,
        installedFiles: total.files,
        ownBytes: own,
        control_ownBytesBefore: wholeDist.bytes,
        installS,
        betterSqlite3BuildMB: mb(sqliteBuild.bytes),
        versionPrinted: version.stdout.trim(),
        byDependencyMB: byDependency.slice(0, 12),
      },
    },
  ];
  return checks;
});
