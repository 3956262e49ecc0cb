/**
 * The intake benchmarks of the issue: classification throughput, no-op rescan, and RSS
 * on a 24-hour FIT file. main.ts runs this file in a child process of its own.
 */
import { measureRescan } from './intake/rescan.js';
import { measureRss } from './intake/rss.js';
import { measureThroughput } from './intake/throughput.js';
import { runModule, type Check } from './lib/result.js';

await runModule('intake', async () => {
  const checks: Check[] = [];
  checks.push(await measureThroughput());
  checks.push(await measureRescan());
  // Measured in fresh child processes: what this process loaded above does not count.
  checks.push(await measureRss());
  return checks;
});
