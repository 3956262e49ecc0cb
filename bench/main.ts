/**
 * `npm run bench [-- MODULE...]`: runs the benchmark modules one after the other, each in
 * a child process of its own (so one module's heap never inflates another's memory
 * figures), then prints one line per check. Results are in bench/results/<module>.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { benchFile, resultPath } from './lib/paths.js';
import type { ModuleResult } from './lib/result.js';

interface BenchModule {
  readonly name: string;
  /** Compiled entry under dist/bench/; it calls runModule(name, …) from lib/result.ts. */
  readonly entry: string;
  readonly about: string;
}

/** Every benchmark. To add one: write bench/<name>.ts around runModule(), then list it here. */
const MODULES: readonly BenchModule[] = [
  { name: 'intake', entry: 'intake.js', about: 'classification throughput, no-op rescan, RSS on a 24-hour FIT file' },
  { name: 'upload', entry: 'upload.js', about: '1,000-file backlog to the loopback sandbox: files/s, peak RSS, exactly once; peak RSS with 10,000 files' },
  { name: 'daemon', entry: 'daemon.js', about: 'settle-to-upload latency of the watching daemon, idle CPU and RSS' },
  { name: 'startup', entry: 'startup.js', about: 'cold starts of `--version` and `status` as ratios to a bare `node -e 0`' },
  { name: 'plugin', entry: 'plugin.js', about: 'a watch on a throttled (MTP-like) FUSE mount vs local disk: first and daily plug-in, --since all, replug under the daemon' },
  { name: 'ui', entry: 'ui.js', about: 'the dashboard: Activities page over 5,000 activities; daemon idle CPU and RSS with it on' },
  { name: 'import', entry: 'import.js', about: 'a generated 2,000-activity Strava export into the sandbox with --rate-limit 120: 429s, time against the limit, peak RSS' },
  { name: 'package', entry: 'package.js', about: 'the npm tarball and the installed size of a real global install' },
];

/** The one table from outcome to exit code (shown by --help). */
const EXIT = {
  ok: 0,
  targetMissed: 1,
  usage: 2,
  moduleFailed: 3,
} as const;

function help(): string {
  return [
    'Usage: npm run bench [-- MODULE...]',
    '',
    'Runs every benchmark module (or the ones named), each in its own process, writes',
    'bench/results/<module>.json and prints a summary table on stdout; progress goes to stderr.',
    '',
    'Modules:',
    ...MODULES.map((m) => `  ${m.name.padEnd(10)} ${m.about}`),
    '',
    'Exit status:',
    `  ${EXIT.ok}  every target met`,
    `  ${EXIT.targetMissed}  a measurement missed its target`,
    `  ${EXIT.usage}  unknown module or option`,
    `  ${EXIT.moduleFailed}  a module crashed or wrote no result`,
  ].join('\n');
}

/** Runs one module in a child process; its result, or why there is none. */
function runOne(module: BenchModule): ModuleResult | string {
  const startedAt = Date.now();
  process.stderr.write(`${module.name}: ${module.about}\n`);
  // The child's stdout goes to our stderr: stdout carries only the summary table.
  const child = spawnSync(process.execPath, [benchFile(module.entry)], { stdio: ['ignore', 2, 2] });
  if (child.error) return `could not start: ${child.error.message}`;
  if (child.status !== 0) return `exited with ${child.status ?? child.signal}`;
  const path = resultPath(module.name);
  if (!existsSync(path)) return `wrote no ${relative(process.cwd(), path)}`;
  const result = JSON.parse(readFileSync(path, 'utf8')) as ModuleResult;
  // A file left by an earlier run must not pass for this run's result.
  if (Date.parse(result.date) < startedAt - 1000) return `${relative(process.cwd(), path)} is from an earlier run (${result.date})`;
  return result;
}

function table(rows: ReadonlyArray<readonly string[]>): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()).join('\n');
}

function main(args: readonly string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${help()}\n`);
    return EXIT.ok;
  }
  const unknown = args.filter((a) => !MODULES.some((m) => m.name === a));
  if (unknown.length) {
    process.stderr.write(`Expected a module name (${MODULES.map((m) => m.name).join(', ')}), got ${unknown.map((u) => JSON.stringify(u)).join(', ')}\n`);
    return EXIT.usage;
  }
  const chosen = args.length ? MODULES.filter((m) => args.includes(m.name)) : MODULES;

  const rows: string[][] = [['module', 'check', 'result', 'target', 'verdict']];
  let code: number = EXIT.ok;
  for (const module of chosen) {
    const result = runOne(module);
    if (typeof result === 'string') {
      rows.push([module.name, '-', result, '-', 'ERROR']);
      code = EXIT.moduleFailed;
      continue;
    }
    for (const check of result.checks) {
      rows.push([module.name, check.id, check.headline, check.target, check.pass ? 'pass' : 'FAIL']);
      if (!check.pass && code === EXIT.ok) code = EXIT.targetMissed;
    }
  }
  process.stdout.write(`\n${table(rows)}\n\nDetails: ${chosen.map((m) => relative(process.cwd(), resultPath(m.name))).join(', ')}\n`);
  return code;
}

process.exitCode = main(process.argv.slice(2));
