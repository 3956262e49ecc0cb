/**
 * The daemon benchmarks of the issue: latency from a file settling to its upload request,
 * and the daemon's idle CPU and RSS. main.ts runs this file in a child process of its own;
 * the sandbox and `mmt-sync watch` run in processes of their own below it.
 *
 * Knobs (environment): MMT_BENCH_IDLE_S (idle window, default 60), MMT_BENCH_LATENCY_FILES
 * (default 20), MMT_BENCH_SETTLE_S (the daemon's intake.settleS, default 2).
 */
import { measureIdle } from './daemon/idle.js';
import { measureLatency } from './daemon/latency.js';
import { setUpDaemonBench } from './daemon/setup.js';
import { runModule, type Check } from './lib/result.js';

await runModule('daemon', async () => {
  const checks: Check[] = [];
  const bench = await setUpDaemonBench();
  try {
    const latency = await measureLatency(bench);
    checks.push(latency.check);
    // A fresh daemon on the same folder: everything in it is uploaded already.
    checks.push(...(await measureIdle(bench, { uploadedFiles: latency.uploadedFiles, afterWork: latency.afterWork })));
  } finally {
    await bench.close();
  }
  return checks;
});
