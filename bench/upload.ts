/**
 * The upload benchmarks of the issue: a 1,000-file backlog to the loopback sandbox
 * (files/s, peak RSS, exactly once). main.ts runs this file in a child process of its own;
 * the sandbox and mmt-sync run in processes of their own below it.
 *
 * Knobs (environment): MMT_BENCH_BACKLOG_RUNS (timed runs, default 3; the median counts),
 * MMT_BENCH_BACKLOG_FILES (default 1000, the figure: change it only for a quick look).
 */
import { measureBacklog } from './upload/backlog.js';
import { runModule } from './lib/result.js';

await runModule('upload', async () => measureBacklog());
