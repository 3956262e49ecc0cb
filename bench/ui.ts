/**
 * The dashboard's benchmarks: the daemon serving it with nobody looking (CPU, RSS) beside
 * the same daemon without it, and the Activities page over 5,000 journaled activities.
 * Knobs: MMT_BENCH_IDLE_S (each idle window, default 30).
 */
import { setUpDaemonBench } from './daemon/setup.js';
import { runModule, type Check } from './lib/result.js';
import { measureIdleWithUi } from './ui/idle.js';
import { measureActivitiesPage } from './ui/page-timing.js';
import { generateFitActivity } from '../src/testing/fit-generator.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, startChild, stopChild } from './upload/processes.js';

await runModule('ui', async () => {
  const checks: Check[] = [];
  checks.push(await measureActivitiesPage());
  const bench = await setUpDaemonBench();
  try {
    // A folder whose files are all up already: the daemon has nothing to do but wait.
    for (let i = 0; i < 20; i++) writeFileSync(join(bench.folder, `run-${i}.fit`), generateFitActivity({ start: new Date(Date.now() - (i + 1) * 86_400_000), durationS: 600, serial: 900 + i }));
    const sync = startChild(process.execPath, [cliPath(), 'sync', '--folder', bench.folder], bench.home.env);
    const { code } = await sync.exited;
    await stopChild(sync, 1_000);
    if (code !== 0) throw new Error(`Expected the first sync to exit 0, got ${code}: ${sync.output().stderr.slice(-1000)}`);
    checks.push(...(await measureIdleWithUi(bench)));
  } finally {
    await bench.close();
  }
  return checks;
});
