/**
 * A configured folder unplugged and plugged back under the daemon: `mmt-sync watch
 * --folder DIR` on the slow watch's activity folder (the mount goes away and comes back)
 * and, as the control, on a local folder (renamed away and back). While it is away a new
 * activity is recorded; timed from the folder being back to that activity's upload
 * request at the sandbox.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { median, round } from '../lib/stats.js';
import { cliPath, poll, sleep, startChild, stopChild, uploadRequests, type Child, type SandboxProcess } from '../upload/processes.js';
import { freshWorld } from './runs.js';
import { startSlowWatch } from './throttled-fuse.js';
import { ACTIVITY_DIR, addActivity, writeWatch } from './watch.js';

const SETTLE_S = 2;
const REPLUGS = 3;
const GONE = 'is gone; waiting for it to come back';

interface Medium {
  readonly label: string;
  /** The configured folder the daemon watches. */
  readonly folder: string;
  /** Where a new activity is written while the folder is away (the watch's own storage). */
  readonly storage: string;
  unplug(): Promise<void>;
  plugIn(): Promise<void>;
}

const uploadsSoFar = async (sandbox: SandboxProcess) => uploadRequests(await sandbox.stats()).map((e) => e.t).sort((a, b) => a - b);

async function measure(medium: Medium): Promise<{ latenciesMs: number[]; goneSaid: number[] }> {
  const world = await freshWorld(['intake:', `  settleS: ${SETTLE_S}`, ''].join('\n'), 'mmt-sync-bench-replug-');
  let daemon: Child | undefined;
  try {
    daemon = startChild(process.execPath, [cliPath(), 'watch', '--folder', medium.folder], world.home.env);
    await daemon.waitForStderr('watching 1 source', 30_000);
    // The start-up scan: the older files become baseline, the new ones go up.
    await poll(async () => ((await uploadsSoFar(world.sandbox)).length >= 2 ? true : undefined), 'the start-up uploads', 60_000);
    await sleep(1000);
    const latenciesMs: number[] = [];
    const goneSaid: number[] = [];
    for (let i = 0; i < REPLUGS; i++) {
      const before = (await uploadsSoFar(world.sandbox)).length;
      const saidBefore = daemon.output().stderr.split(GONE).length - 1;
      await medium.unplug();
      await poll(async () => (daemon!.output().stderr.split(GONE).length - 1 > saidBefore ? true : undefined), 'the daemon saying the folder is gone', 10_000);
      addActivity(medium.storage, Date.now() - 3_600_000 - i * 60_000, 7_000 + i);
      // Away a while: it must be said once, not once per look.
      await sleep(2500);
      goneSaid.push(daemon.output().stderr.split(GONE).length - 1 - saidBefore);
      await medium.plugIn();
      const backAt = Date.now();
      const arrivals = await poll(async () => {
        const all = await uploadsSoFar(world.sandbox);
        return all.length > before ? all : undefined;
      }, 'the upload after the folder came back', 60_000);
      latenciesMs.push(arrivals[before]! - backAt);
      await sleep(500);
    }
    progress(`${medium.label}: uploaded ${latenciesMs.map((ms) => `${round(ms / 1000, 2)} s`).join(', ')} after the folder came back (settle ${SETTLE_S} s)`);
    return { latenciesMs, goneSaid };
  } finally {
    if (daemon) await stopChild(daemon, 30_000);
    await world.close();
  }
}

export async function measureReplug(work: string): Promise<Check[]> {
  const localRoot = join(work, 'local', 'CARD');
  writeWatch(localRoot, 20, 2);
  const away = join(work, 'local', 'away');
  const local: Medium = {
    label: 'local folder',
    folder: join(localRoot, ACTIVITY_DIR),
    storage: away,
    unplug: async () => renameSync(localRoot, away),
    plugIn: async () => renameSync(away, localRoot),
  };
  mkdirSync(join(work, 'media'), { recursive: true });
  const watch = await startSlowWatch(join(work, 'fuse'), join(work, 'media', 'FR965'));
  writeWatch(watch.backing, 400, 2);
  const slow: Medium = {
    label: 'slow mount',
    folder: join(watch.mountpoint, ACTIVITY_DIR),
    storage: watch.backing,
    unplug: () => watch.unplug(),
    plugIn: () => watch.plugIn(),
  };
  try {
    const control = await measure(local);
    const measured = await measure(slow);
    const settleMs = SETTLE_S * 1000;
    const med = median(measured.latenciesMs);
    const onceEach = [...control.goneSaid, ...measured.goneSaid].every((n) => n === 1);
    return [
      {
        id: 'replug-daemon',
        what:
          `\`mmt-sync watch --folder DIR\` (intake.settleS ${SETTLE_S}) on the slow watch's activity folder: the mount goes away (the daemon must say so once), ` +
          `a new activity is recorded, the mount comes back; time from the mount being back to that activity's upload request; median of ${REPLUGS}, beside a local folder renamed away and back`,
        target: `<= settle + 2 s = ${round((settleMs + 2000) / 1000, 2)} s, and "${GONE}" said once per absence`,
        pass: med <= settleMs + 2000 && onceEach,
        headline: `${round(med / 1000, 2)} s (local folder ${round(median(control.latenciesMs) / 1000, 2)} s)`,
        numbers: {
          latencyS: measured.latenciesMs.map((ms) => round(ms / 1000, 3)),
          localFolderLatencyS: control.latenciesMs.map((ms) => round(ms / 1000, 3)),
          goneSaidPerAbsence: { slow: measured.goneSaid, local: control.goneSaid },
          watch: '400 older + 2 new activities, journaled by the daemon before the first unplug',
        },
      },
    ];
  } finally {
    await watch.stop();
  }
}
