/**
 * The daemon at rest: started on a folder whose files are all uploaded already, left
 * alone for 10 s, then watched from outside (/proc) for MMT_BENCH_IDLE_S (default 60 s):
 * CPU time, wake-ups, resident memory, and API requests (there should be none).
 */
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { MB, round } from '../lib/stats.js';
import { sampleIdle } from '../lib/idle-sampler.js';
import { clockTicks, procfsAvailable } from '../upload/procfs.js';
import { sleep } from '../upload/processes.js';
import { envNumber, startDaemon, stopDaemon, type DaemonBench } from './setup.js';

/** "≈ 0": at most 0.1 % of one core, i.e. 60 ms of CPU in a minute. */
const TARGET_CPU_PCT = 0.1;
const TARGET_RSS_MB = 80;
const SETTLE_IN_S = 10;

/** Cron fires the rescan every 15 minutes and the token check every 5: did the window include one? */
function cronBoundaries(fromMs: number, toMs: number): string[] {
  const hits: string[] = [];
  for (let m = Math.ceil(fromMs / 60_000); m * 60_000 <= toMs; m++) {
    const minute = new Date(m * 60_000).getMinutes();
    if (minute % 15 === 0) hits.push(`${new Date(m * 60_000).toISOString()} rescan + token check`);
    else if (minute % 5 === 0) hits.push(`${new Date(m * 60_000).toISOString()} token check`);
  }
  return hits;
}

export async function measureIdle(bench: DaemonBench, context: { uploadedFiles: number; afterWork?: { rssMB: number; hwmMB: number } }): Promise<Check[]> {
  if (!procfsAvailable()) throw new Error('Expected /proc (Linux) to read the daemon\'s CPU time and memory, got none');
  const idleS = envNumber('MMT_BENCH_IDLE_S', 60, 1);
  const apiBefore = (await bench.sandbox.stats()).log.length;
  const daemon = await startDaemon(bench);
  try {
    await sleep(SETTLE_IN_S * 1000);
    const startedAt = Date.now();
    const sample = await sampleIdle(daemon.pid, idleS);
    const { elapsedMs, cpuMs: cpu, perSecondCpuMs, rssMax } = sample;
    const mem = { rss: sample.rssEnd, hwm: sample.hwm };
    const endedAt = Date.now();
    const apiRequests = (await bench.sandbox.stats()).log.slice(apiBefore);
    const startupScanQueued = /new files? queued/.test(daemon.output().stderr);
    const stopped = await stopDaemon(daemon);

    const cpuPct = sample.cpuPct;
    const wakeups = sample.voluntaryWakeups;
    const busySeconds = perSecondCpuMs.filter((ms) => ms > 0).length;
    progress(
      `idle: ${round(cpuPct, 3)} % CPU over ${round(elapsedMs / 1000, 1)} s (${round(cpu, 0)} ms), ${round(wakeups / (elapsedMs / 1000), 1)} wake-ups/s, ` +
        `RSS ${round(rssMax / MB, 1)} MB (peak since start ${round(mem.hwm / MB, 1)} MB)`,
    );
    const setup = {
      folder: `${context.uploadedFiles} FIT files, all uploaded before this daemon started (the journal knows them)`,
      settleInS: SETTLE_IN_S,
      idleS,
      startedAt: new Date(startedAt).toISOString(),
      cronBoundariesInWindow: cronBoundaries(startedAt, endedAt),
    };
    return [
      {
        id: 'idle-cpu',
        what:
          `CPU time (utime + stime of every thread, /proc/<pid>/stat, ${clockTicks()} ticks/s) of \`mmt-sync watch --folder DIR\` ` +
          `over ${idleS} s of idleness, ${SETTLE_IN_S} s after it started`,
        target: `≈ 0 (<= ${TARGET_CPU_PCT} % of one core)`,
        pass: cpuPct <= TARGET_CPU_PCT,
        headline: `${round(cpuPct, 3)} % (${round(cpu, 0)} ms in ${round(elapsedMs / 1000, 1)} s)`,
        numbers: {
          cpuPct: round(cpuPct, 4),
          cpuMs: round(cpu, 0),
          elapsedS: round(elapsedMs / 1000, 2),
          secondsWithCpu: busySeconds,
          perSecondCpuMs: perSecondCpuMs.map((ms) => round(ms, 0)),
          wakeups: { voluntaryContextSwitches: wakeups, perS: round(wakeups / (elapsedMs / 1000), 2), involuntary: sample.involuntary, threads: sample.threads },
          apiRequestsWhileIdle: apiRequests.map((e) => `${e.method} ${e.path} ${e.status}`),
          startupScanQueuedSomething: startupScanQueued,
          ...setup,
        },
      },
      {
        id: 'idle-rss',
        what: `resident memory (VmRSS, /proc/<pid>/status) of the same idle daemon, highest of one sample a second over the ${idleS} s`,
        target: `<= ${TARGET_RSS_MB} MB`,
        pass: rssMax <= TARGET_RSS_MB * MB,
        headline: `${round(rssMax / MB, 1)} MB (peak since start ${round(mem.hwm / MB, 1)} MB)`,
        numbers: {
          unit: 'MB = 10^6 bytes',
          idleRssMaxMB: round(rssMax / MB, 1),
          idleRssEndMB: round(mem.rss / MB, 1),
          hwmSinceStartMB: round(mem.hwm / MB, 1),
          ...(context.afterWork ? { latencyDaemonAfterUploads: context.afterWork } : {}),
          stop: { exitMs: round(stopped.exitMs, 0), code: stopped.code, signal: stopped.signal },
          ...setup,
        },
      },
    ];
  } catch (error) {
    await stopDaemon(daemon).catch(() => {});
    throw error;
  }
}
