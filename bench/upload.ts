/**
 * The upload benchmarks: a 1,000-file backlog to the loopback sandbox (files/s, peak RSS,
 * exactly once), and the peak RSS of a 10,000-file one. main.ts runs this file in a child
 * process of its own; the sandbox and mmt-sync run in processes of their own below it.
 *
 * Knobs (environment): MMT_BENCH_BACKLOG_RUNS (timed runs, default 3; the median counts),
 * MMT_BENCH_BACKLOG_FILES (default 1000, the figure: change it only for a quick look),
 * MMT_BENCH_BIG_BACKLOG_FILES (default 10,000: the memory bound of a backlog ten times larger).
 */
import { measureBacklog, measureBigBacklog } from './upload/backlog.js';
import { runModule } from './lib/result.js';

await runModule('upload', async () => [...(await measureBacklog()), ...(await measureBigBacklog())]);
