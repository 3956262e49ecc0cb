/**
 * The plug-in benchmarks of issue 12: a watch on a throttled FUSE mount with MTP's costs
 * (first plug-in, daily plug-in, `--since all`, read parallelism) and a configured folder
 * unplugged and plugged back under the daemon, each beside the same on local disk.
 * main.ts runs this file in a child process of its own. Needs root, /dev/fuse and
 * python3-fusepy (as the chaos suite does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canFuse } from '../src/testing/fuse.js';
import { measurePlugIn } from './device/plugin.js';
import { measureReplug } from './device/replug.js';
import { runModule, type Check } from './lib/result.js';

await runModule('plugin', async () => {
  if (!canFuse()) throw new Error('Expected root, /dev/fuse and python3-fusepy for the throttled mount (apt-get install python3-fusepy), got none');
  const work = mkdtempSync(join(tmpdir(), 'mmt-sync-bench-plugin-'));
  const checks: Check[] = [];
  try {
    checks.push(...(await measurePlugIn(join(work, 'plugin'))));
    checks.push(...(await measureReplug(join(work, 'replug'))));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return checks;
});
