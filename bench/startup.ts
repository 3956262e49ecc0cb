/**
 * Cold starts, as ratios to a bare `node -e 0` measured in the same run, interleaved
 * (one of each in turn, so a busy moment of the shared machine hits all three alike):
 * `mmt-sync --version`, and `mmt-sync status` for a logged-in user (tokens in a file, a
 * journal). main.ts runs this file in a child process of its own.
 *
 * Knobs (environment): MMT_BENCH_STARTUP_RUNS (runs of each, default 25; the median counts).
 */
import { spawnSync } from 'node:child_process';
import { envNumber } from './daemon/setup.js';
import { freshWorld } from './device/runs.js';
import { progress, runModule } from './lib/result.js';
import { median, round } from './lib/stats.js';
import { cliPath } from './upload/processes.js';

const TARGET_RATIO = 2;

await runModule('startup', async () => {
  const runs = Math.round(envNumber('MMT_BENCH_STARTUP_RUNS', 25, 3));
  const world = await freshWorld('', 'mmt-sync-bench-startup-');
  try {
    const commands: Record<string, readonly string[]> = {
      'node -e 0': ['-e', '0'],
      'mmt-sync --version': [cliPath(), '--version'],
      'mmt-sync status': [cliPath(), 'status'],
    };
    const time = (args: readonly string[]) => {
      const started = performance.now();
      const result = spawnSync(process.execPath, args, { env: world.home.env, stdio: ['ignore', 'pipe', 'pipe'] });
      if (result.status !== 0) throw new Error(`Expected ${args.join(' ')} to exit 0, got ${result.status}; stderr: ${result.stderr.toString().slice(-2000)}`);
      return performance.now() - started;
    };
    // The first status validates the configuration and keeps it (src/config/cache.ts); so does a user's first command.
    for (const args of Object.values(commands)) time(args);
    const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, [] as number[]]));
    for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(commands)) samples[name]!.push(time(args));
    const base = median(samples['node -e 0']!);
    const figure = (name: string) => ({ medianMs: round(median(samples[name]!), 1), ratio: round(median(samples[name]!) / base, 2), minMs: round(Math.min(...samples[name]!), 1) });
    progress(Object.keys(commands).map((name) => `${name}: ${figure(name).medianMs} ms (${figure(name).ratio}x)`).join(', '));
    const check = (id: string, name: string) => {
      const f = figure(name);
      return {
        id,
        what: `\`${name}\` spawned ${runs} times, interleaved with \`node -e 0\` (the control, ${round(base, 1)} ms median) on ${process.version}; median wall time as a ratio to the control`,
        target: `<= ${TARGET_RATIO} x node -e 0`,
        pass: f.ratio <= TARGET_RATIO,
        headline: `${f.ratio} x (${f.medianMs} ms vs ${round(base, 1)} ms)`,
        numbers: { ...f, controlMedianMs: round(base, 1), controlMinMs: round(Math.min(...samples['node -e 0']!), 1), runs, compileCache: 'module.enableCompileCache: ' + (process.versions.node.split('.').map(Number)[0]! >= 22 ? 'on' : 'not in this Node line') },
      };
    };
    return [check('cold-start-version', 'mmt-sync --version'), check('cold-start-status', 'mmt-sync status')];
  } finally {
    await world.close();
  }
});
