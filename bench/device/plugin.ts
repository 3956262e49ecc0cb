/**
 * Plugging in a watch, as the issue times it: the same 402-file watch on a throttled FUSE
 * mount (MTP's costs) and on local disk (the control), through device auto-detection and
 * `mmt-sync sync`:
 * - first plug-in (fresh journal): when the first upload request leaves, and the whole run;
 * - daily plug-in (the journaled watch plus one new activity): the whole run;
 * - `--since all` over the same watch (400 files never read so far): the whole run, beside
 *   the device's own time to read everything and the local disk's time to upload everything;
 * each with `intake.parallelReads` 1, 2 and 4, to choose the default by evidence.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { median, round } from '../lib/stats.js';
import { freshWorld, readEverything, timedSync, type TimedRun } from './runs.js';
import { startSlowWatch, MTP_BYTES_PER_S, MTP_LATENCY_MS } from './throttled-fuse.js';
import { ACTIVITY_DIR, addActivity, copyWatch, writeWatch } from './watch.js';

const SETTLE_S = 2;
const OLD = 400;
const FRESH = 2;
const PARALLELISM = [1, 2, 4] as const;
const DEFAULT_PARALLEL_READS = 2;

interface Trial {
  readonly first: TimedRun;
  readonly daily: TimedRun;
  readonly sinceAll: TimedRun;
}

const yamlFor = (mediaRoot: string, parallelReads: number) =>
  ['devices:', '  autoDetect: true', `  mediaRoots: [${JSON.stringify(mediaRoot)}]`, 'intake:', `  settleS: ${SETTLE_S}`, `  parallelReads: ${parallelReads}`, ''].join('\n');

/** First plug-in, daily plug-in, then `--since all`, in one fresh world; the daily file is removed again after. */
async function trial(mediaRoot: string, storage: string, parallelReads: number, label: string): Promise<Trial> {
  const world = await freshWorld(yamlFor(mediaRoot, parallelReads), 'mmt-sync-bench-plugin-');
  try {
    const first = await timedSync(world.sandbox, world.home);
    if (first.uploads !== FRESH) throw new Error(`Expected the first plug-in to upload the ${FRESH} new activities, got ${first.uploads}`);
    const added = addActivity(storage, Date.now() - 3_600_000 * 2, 9_000);
    const daily = await timedSync(world.sandbox, world.home);
    if (daily.uploads !== 1) throw new Error(`Expected the daily plug-in to upload 1 activity, got ${daily.uploads}`);
    const sinceAll = await timedSync(world.sandbox, world.home, ['--since', 'all']);
    if (sinceAll.uploads !== OLD) throw new Error(`Expected --since all to upload the ${OLD} older activities, got ${sinceAll.uploads}`);
    rmSync(join(storage, ACTIVITY_DIR, added.name));
    progress(
      `${label} parallelReads ${parallelReads}: first upload ${round(first.firstUploadMs! / 1000, 2)} s, first plug-in ${round(first.wallMs / 1000, 2)} s, ` +
        `daily ${round(daily.wallMs / 1000, 2)} s, --since all ${round(sinceAll.wallMs / 1000, 2)} s`,
    );
    return { first, daily, sinceAll };
  } finally {
    await world.close();
  }
}

const s = (ms: number) => round(ms / 1000, 2);

export async function measurePlugIn(work: string): Promise<Check[]> {
  const settleMs = SETTLE_S * 1000;
  const localMedia = join(work, 'media-local');
  const localWatch = join(localMedia, 'FR965');
  const files = writeWatch(localWatch, OLD, FRESH);
  const slowMedia = join(work, 'media');
  mkdirSync(slowMedia, { recursive: true });
  const watch = await startSlowWatch(join(work, 'fuse'), join(slowMedia, 'FR965'));
  // The same files, same mtimes, behind the slow mount.
  copyWatch(localWatch, watch.backing);
  try {
    const local = await trial(localMedia, localWatch, DEFAULT_PARALLEL_READS, 'local disk');
    const slow = new Map<number, Trial>();
    for (const p of PARALLELISM) slow.set(p, await trial(slowMedia, watch.backing, p, 'slow mount'));
    const readAll = readEverything(join(watch.mountpoint, ACTIVITY_DIR));
    progress(`slow mount: reading all ${readAll.files} files once, one after another: ${s(readAll.ms)} s`);

    const chosen = slow.get(DEFAULT_PARALLEL_READS)!;
    const firstUploads = [...slow.values()].map((t) => t.first.firstUploadMs!);
    const firstUpload = median(firstUploads);
    const firstWall = median([...slow.values()].map((t) => t.first.wallMs));
    const dailyWall = median([...slow.values()].map((t) => t.daily.wallMs));
    const ratio = firstUpload / local.first.firstUploadMs!;
    const uploadAllMs = local.sinceAll.wallMs;
    const overlapLimit = 1.15 * Math.max(readAll.ms, uploadAllMs);
    const sinceAllByP = Object.fromEntries([...slow].map(([p, t]) => [p, s(t.sinceAll.wallMs)]));
    const best = Math.min(...[...slow.values()].map((t) => t.sinceAll.wallMs));
    const setup = {
      watch: `${OLD} activities 20-420 days old + ${FRESH} from the last day, 1-hour FIT (~${Math.round(files.old[0]!.bytes / 1000)} KB), Garmin names, mtime = end of activity`,
      slowMount: `FUSE (python3-fusepy), subtype jmtpfs: ${MTP_LATENCY_MS} ms per open and per listing, ${MTP_BYTES_PER_S / 1024 / 1024} MiB/s reads, one request at a time`,
      localDisk: 'the same files (same mtimes) in a plain folder as a mass-storage watch',
      config: `intake.settleS ${SETTLE_S} (the default), intake.backfill 14d (the default), device auto-detection over a media root`,
      sandbox: 'mmt-sync sandbox in its own process, a fresh one and a fresh journal per trial',
    };
    return [
      {
        id: 'first-plugin-first-upload',
        what: `\`mmt-sync sync\` on the first plug-in of the slow watch: spawn to the first uploadActivity request at the sandbox; median of ${PARALLELISM.length} trials, beside the same on local disk`,
        target: `<= settle + 1.5 s = ${s(settleMs + 1500)} s, and <= 1.5 x local disk`,
        pass: firstUpload <= settleMs + 1500 && ratio <= 1.5,
        headline: `${s(firstUpload)} s (local disk ${s(local.first.firstUploadMs!)} s, ratio ${round(ratio, 2)})`,
        numbers: { firstUploadS: s(firstUpload), perTrialS: firstUploads.map(s), localDiskS: s(local.first.firstUploadMs!), ratio: round(ratio, 3), settleS: SETTLE_S, setup },
      },
      {
        id: 'first-plugin-whole',
        what: 'the same first plug-in runs, spawn to exit (400 older files journaled as baseline from their stat, 2 read and uploaded)',
        target: `<= settle + 3 s = ${s(settleMs + 3000)} s`,
        pass: firstWall <= settleMs + 3000,
        headline: `${s(firstWall)} s (local disk ${s(local.first.wallMs)} s)`,
        numbers: { wallS: s(firstWall), perTrialS: [...slow.values()].map((t) => s(t.first.wallMs)), localDiskS: s(local.first.wallMs), scan: chosen.first.summary.scan },
      },
      {
        id: 'daily-plugin',
        what: 'the journaled watch plugged in again with one new activity: `mmt-sync sync`, spawn to exit',
        target: `<= settle + 1 s = ${s(settleMs + 1000)} s`,
        pass: dailyWall <= settleMs + 1000,
        headline: `${s(dailyWall)} s (local disk ${s(local.daily.wallMs)} s)`,
        numbers: { wallS: s(dailyWall), perTrialS: [...slow.values()].map((t) => s(t.daily.wallMs)), localDiskS: s(local.daily.wallMs) },
      },
      {
        id: 'since-all-overlap',
        what:
          `\`mmt-sync sync --since all\` over the journaled slow watch (${OLD} files never read before: read, judged and uploaded), intake.parallelReads ${DEFAULT_PARALLEL_READS}, ` +
          'beside the device reading every file once (one after another) and the local disk uploading everything (`--since all` on the local copy)',
        target: '<= 1.15 x max(read everything, upload everything): reading and uploading overlap',
        pass: chosen.sinceAll.wallMs <= overlapLimit,
        headline: `${s(chosen.sinceAll.wallMs)} s (read everything ${s(readAll.ms)} s, upload everything ${s(uploadAllMs)} s, limit ${s(overlapLimit)} s)`,
        numbers: {
          wallS: s(chosen.sinceAll.wallMs),
          firstUploadS: s(chosen.sinceAll.firstUploadMs!),
          readEverythingS: s(readAll.ms),
          readEverything: readAll,
          uploadEverythingS: s(uploadAllMs),
          limitS: s(overlapLimit),
          ratioToMax: round(chosen.sinceAll.wallMs / Math.max(readAll.ms, uploadAllMs), 3),
        },
      },
      {
        id: 'read-parallelism',
        what: `the same \`--since all\` on the slow mount with intake.parallelReads ${PARALLELISM.join(', ')}: what the default (${DEFAULT_PARALLEL_READS}) is chosen by`,
        target: `the default within 5 % of the best`,
        pass: chosen.sinceAll.wallMs <= best * 1.05,
        headline: PARALLELISM.map((p) => `${p}: ${sinceAllByP[p]} s`).join(', '),
        numbers: { sinceAllWallSByParallelReads: sinceAllByP, firstUploadSByParallelReads: Object.fromEntries([...slow].map(([p, t]) => [p, s(t.first.firstUploadMs!)])) },
      },
    ];
  } finally {
    await watch.stop();
  }
}
