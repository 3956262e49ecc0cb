/**
 * Settle-to-upload latency of the watching daemon: files appear in the watched folder one
 * at a time, complete (written beside it, then renamed into place), and the sandbox's
 * request log says when each one's upload request arrived.
 */
import { renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { MB, median, percentile, round } from '../lib/stats.js';
import { backlogActivity } from '../upload/generate.js';
import { memory } from '../upload/procfs.js';
import { poll, sleep, uploadRequests } from '../upload/processes.js';
import { envNumber, startDaemon, stopDaemon, type DaemonBench } from './setup.js';

/** Slack the issue allows on top of the settle window. */
const SLACK_MS = 100;
/** A pause after each upload, so every file starts from a quiet watcher (no pending timer). */
const PAUSE_MS = 300;

export interface LatencyOutcome {
  readonly check: Check;
  /** The daemon's memory after it did the uploads, before SIGTERM. */
  readonly afterWork: { readonly rssMB: number; readonly hwmMB: number };
  readonly uploadedFiles: number;
}

export async function measureLatency(bench: DaemonBench): Promise<LatencyOutcome> {
  const count = Math.round(envNumber('MMT_BENCH_LATENCY_FILES', 20, 3));
  const settleMs = bench.settleS * 1000;
  const targetMs = settleMs + SLACK_MS;
  // Activity 0 is there before the daemon starts: its start-up scan uploads it, which
  // also says the daemon is up, logged in and connected.
  const warmUp = backlogActivity(0);
  writeFileSync(join(bench.folder, warmUp.name), warmUp.bytes);
  const activities = Array.from({ length: count }, (_, i) => backlogActivity(i + 1));

  const daemon = await startDaemon(bench);
  try {
    await poll(async () => (uploadRequests(await bench.sandbox.stats()).length >= 1 ? true : undefined), 'the start-up upload', settleMs + 30_000);
    await sleep(1000);

    const rows: Array<{ file: string; latencyMs: number; mtimeToVisibleMs: number; receivedAfterRequestMs: number }> = [];
    for (const [i, activity] of activities.entries()) {
      const staged = join(bench.staging, activity.name);
      writeFileSync(staged, activity.bytes);
      const { mtimeMs } = statSync(staged);
      renameSync(staged, join(bench.folder, activity.name));
      // The file is complete and visible from here on; its mtime (just before) never moves again.
      const visibleAt = Date.now();
      const request = await poll(
        async () => {
          const uploads = uploadRequests(await bench.sandbox.stats());
          return uploads.length >= i + 2 ? [...uploads].sort((a, b) => a.t - b.t)[i + 1] : undefined;
        },
        `the upload of ${activity.name}`,
        settleMs + 30_000,
        10,
      );
      const received = (await bench.sandbox.activities()).find((a) => a.sha256 === activity.sha256);
      if (!received) throw new Error(`Expected ${activity.name} (sha256 ${activity.sha256.slice(0, 12)}…) at the sandbox after its upload request, got no such activity`);
      if (request.status !== 200) throw new Error(`Expected the upload of ${activity.name} to answer 200, got ${request.status}`);
      rows.push({
        file: activity.name,
        latencyMs: request.t - visibleAt,
        mtimeToVisibleMs: round(visibleAt - mtimeMs, 1),
        receivedAfterRequestMs: Date.parse(received.receivedAt) - request.t,
      });
      await sleep(PAUSE_MS);
    }
    const afterWork = memory(daemon.pid);
    const stopped = await stopDaemon(daemon);

    const latencies = rows.map((r) => r.latencyMs);
    const med = median(latencies);
    const p90 = percentile(latencies, 90);
    const overhead = latencies.map((l) => l - settleMs);
    progress(`latency: median ${med} ms, p90 ${p90} ms after a file appears (settle window ${settleMs} ms, target ${targetMs} ms)`);
    const check: Check = {
      id: 'settle-to-upload',
      what:
        `\`mmt-sync watch --folder DIR\` (intake.settleS ${bench.settleS}): ${count} FIT files appear one at a time (written beside the folder, renamed in); ` +
        'time from the file being complete and visible to its uploadActivity request arriving at the sandbox (its request log); p90 decides',
      target: `p90 <= settle window + ${SLACK_MS} ms = ${targetMs} ms`,
      pass: p90 <= targetMs,
      headline: `median ${med} ms, p90 ${p90} ms (settle ${settleMs} ms)`,
      numbers: {
        files: count,
        settleMs,
        targetMs,
        latencyMs: { median: med, p90, min: Math.min(...latencies), max: Math.max(...latencies) },
        beyondSettleMs: { median: median(overhead), p90: percentile(overhead, 90), max: Math.max(...overhead) },
        missedByMs: Math.max(0, p90 - targetMs),
        why:
          'the daemon waits for the folder to be quiet for the whole settle window after the last file event (source-watcher.ts), ' +
          'then scans with settleMs 0 and wakes the uploader: latency = event delivery + settle window + scan + upload start',
        maxMtimeToVisibleMs: Math.max(...rows.map((r) => r.mtimeToVisibleMs)),
        perFile: rows.map((r) => r.latencyMs),
        stop: { exitMs: round(stopped.exitMs, 0), code: stopped.code, signal: stopped.signal },
      },
    };
    return {
      check,
      afterWork: { rssMB: round(afterWork.rss / MB, 1), hwmMB: round(afterWork.hwm / MB, 1) },
      uploadedFiles: count + 1,
    };
  } catch (error) {
    await stopDaemon(daemon).catch(() => {});
    throw error;
  }
}
