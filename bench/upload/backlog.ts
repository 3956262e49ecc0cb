/**
 * A 1,000-file backlog to the loopback sandbox: `mmt-sync sync --folder DIR --json` timed
 * end to end as a child process, its peak RSS from the kernel, the upload phase from the
 * sandbox's own request log, and a check that every file arrived exactly once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { MB, median, percentile, round } from '../lib/stats.js';
import { writeBacklog, type GeneratedFile } from './generate.js';
import { cpuMs, HwmSampler, procfsAvailable } from './procfs.js';
import { cliPath, makeHome, scriptedLogin, startChild, startSandboxProcess, uploadRequests } from './processes.js';

const TARGET_FILES_PER_S = 200;
const TARGET_PEAK_MB = 150;
const GNU_TIME = '/usr/bin/time';

/** MMT_BENCH_BACKLOG_FILES overrides the 1,000 of the issue (for a quick look only). */
function backlogSize(): number {
  const raw = process.env.MMT_BENCH_BACKLOG_FILES;
  if (raw === undefined || raw === '') return 1000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 2) throw new Error(`Expected MMT_BENCH_BACKLOG_FILES to be an integer >= 2, got ${JSON.stringify(raw)}`);
  return n;
}

/** MMT_BENCH_BACKLOG_RUNS: how many timed runs (default 3; the median counts). */
function backlogRuns(): number {
  const raw = process.env.MMT_BENCH_BACKLOG_RUNS;
  if (raw === undefined || raw === '') return 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`Expected MMT_BENCH_BACKLOG_RUNS to be an integer >= 1, got ${JSON.stringify(raw)}`);
  return n;
}

interface SyncSummaryJson {
  readonly scan: { files: number; queued: number; duplicates: number; skipped: number; baseline: number };
  readonly uploaded: number;
  readonly alreadyThere: number;
  readonly failed: readonly unknown[];
  readonly pending: number;
}

/** GNU time's `-f '%M %e %U %S'`: max RSS in KiB, elapsed, user and system seconds. */
function readGnuTime(path: string): { maxRss: number; userS: number; sysS: number } | undefined {
  if (!existsSync(path)) return undefined;
  const last = readFileSync(path, 'utf8').trim().split('\n').at(-1) ?? '';
  const match = /^(\d+) ([\d.]+) ([\d.]+) ([\d.]+)$/.exec(last);
  if (!match) return undefined;
  return { maxRss: Number(match[1]) * 1024, userS: Number(match[3]), sysS: Number(match[4]) };
}

/** One timed run: a fresh sandbox and a fresh user (empty journal) over the same folder. */
async function runOnce(folder: string, files: readonly GeneratedFile[]) {
  const count = files.length;
  const sandbox = await startSandboxProcess();
  const home = makeHome(sandbox, ['intake:', '  settleS: 0', '  backfill: all', ''].join('\n'), 'mmt-sync-bench-upload-');
  try {
    await scriptedLogin(home);
    const useGnuTime = existsSync(GNU_TIME);
    const timeFile = join(home.dir, 'time.txt');
    const syncArgs = [cliPath(), 'sync', '--folder', folder, '--json'];
    const loadavgAtStart = loadavg()[0]!;
    const sandboxCpuBefore = procfsAvailable() ? cpuMs(sandbox.child.pid) : undefined;
    const startedAt = Date.now();
    const started = performance.now();
    const child = useGnuTime
      ? startChild(GNU_TIME, ['-f', '%M %e %U %S', '-o', timeFile, process.execPath, ...syncArgs], home.env)
      : startChild(process.execPath, syncArgs, home.env);
    // With GNU time the polled pid is time's own: only its rusage figure counts then.
    const sampler = !useGnuTime && procfsAvailable() ? new HwmSampler(child.pid, 10) : undefined;
    const { code, signal } = await child.exited;
    const wallS = (performance.now() - started) / 1000;
    const sampledPeak = sampler?.stop();
    const sandboxCpuS = sandboxCpuBefore !== undefined ? (cpuMs(sandbox.child.pid) - sandboxCpuBefore) / 1000 : undefined;
    const { stdout, stderr } = child.output();
    if (code !== 0) throw new Error(`Expected mmt-sync sync to exit 0, got ${code ?? signal}; stderr: ${stderr.slice(-3000)}`);
    const summary = JSON.parse(stdout) as SyncSummaryJson;
    const rusage = useGnuTime ? readGnuTime(timeFile) : undefined;
    if (useGnuTime && !rusage) throw new Error(`Expected GNU time's figures in ${timeFile}, got none`);
    const peakRss = rusage?.maxRss ?? sampledPeak;
    if (!peakRss) throw new Error('Expected a peak RSS figure (GNU time or /proc), got none: is this Linux?');

    // What reached the server, from the server's side.
    const stats = await sandbox.stats();
    const uploads = uploadRequests(stats).filter((e) => e.t >= startedAt);
    const activities = await sandbox.activities();
    const expected = new Set(files.map((f) => f.sha256));
    const receivedBySha = new Map<string, number>();
    for (const a of activities) if (a.sha256) receivedBySha.set(a.sha256, (receivedBySha.get(a.sha256) ?? 0) + 1);
    const missing = [...expected].filter((sha) => !receivedBySha.has(sha)).length;
    const twice = [...receivedBySha.values()].filter((n) => n > 1).length;
    const unexpected = [...receivedBySha.keys()].filter((sha) => !expected.has(sha)).length;
    const non200 = uploads.filter((e) => e.status !== 200).length;
    const exactlyOnce =
      missing === 0 && twice === 0 && unexpected === 0 && activities.length === count && uploads.length === count && non200 === 0 && summary.uploaded === count;

    const arrivals = uploads.map((e) => e.t).sort((a, b) => a - b);
    const firstUpload = arrivals[0]!;
    const lastUpload = arrivals.at(-1)!;
    const uploadSpanS = (lastUpload - firstUpload) / 1000;
    // n arrivals span n-1 intervals.
    const uploadPhaseRate = uploadSpanS > 0 ? (arrivals.length - 1) / uploadSpanS : Infinity;
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    const wholeRate = count / wallS;
    progress(
      `backlog: ${round(wholeRate, 1)} files/s whole run (${round(wallS, 2)} s), ${round(uploadPhaseRate, 1)} files/s upload phase, ` +
        `peak RSS ${round(peakRss / MB, 1)} MB, exactly once: ${exactlyOnce}`,
    );
    return {
      wholeRate,
      uploadPhaseRate,
      peakRss,
      peakRssSource: useGnuTime ? 'GNU time %M (ru_maxrss)' : 'VmHWM polled every 10 ms',
      exactlyOnce,
      detail: {
        filesPerS: round(wholeRate, 1),
        uploadPhaseFilesPerS: round(uploadPhaseRate, 1),
        peakRssMB: round(peakRss / MB, 1),
        wallS: round(wallS, 3),
        startToFirstUploadS: round((firstUpload - startedAt) / 1000, 3),
        uploadSpanS: round(uploadSpanS, 3),
        lastUploadToExitS: round(wallS - (lastUpload - startedAt) / 1000, 3),
        uploadGapMs: { median: median(gaps), p90: percentile(gaps, 90), p99: percentile(gaps, 99), max: Math.max(...gaps) },
        ...(rusage
          ? {
              mmtSyncCpu: {
                userS: rusage.userS,
                sysS: rusage.sysS,
                ofWallPct: round(((rusage.userS + rusage.sysS) / wallS) * 100, 0),
                // Does not depend on what else the machine runs: the cost of one file, startup included.
                msPerFile: round(((rusage.userS + rusage.sysS) * 1000) / count, 2),
              },
            }
          : {}),
        ...(sandboxCpuS !== undefined ? { sandboxCpuS: round(sandboxCpuS, 2) } : {}),
        loadavg1mAtStart: round(loadavgAtStart, 2),
      },
      server: {
        activities: activities.length,
        uploadRequests: uploads.length,
        non200,
        missing,
        twice,
        unexpected,
        syncSummary: { uploaded: summary.uploaded, alreadyThere: summary.alreadyThere, failed: summary.failed.length, pending: summary.pending, scan: summary.scan },
      },
    };
  } finally {
    await sandbox.close();
    home.remove();
  }
}

export async function measureBacklog(): Promise<Check[]> {
  const count = backlogSize();
  const runCount = backlogRuns();
  const work = mkdtempSync(join(tmpdir(), 'mmt-sync-bench-backlog-'));
  try {
    const folder = join(work, 'Activity');
    const genStart = performance.now();
    const files = writeBacklog(folder, count);
    const generateS = (performance.now() - genStart) / 1000;
    const totalBytes = files.reduce((sum, f) => sum + f.bytes.length, 0);
    progress(`backlog: ${count} FIT files generated (${round(totalBytes / MB, 1)} MB) in ${round(generateS, 1)} s; ${runCount} runs`);
    const runs = [];
    for (let i = 0; i < runCount; i++) runs.push(await runOnce(folder, files));

    const wholeRate = median(runs.map((r) => r.wholeRate));
    const uploadPhaseRate = median(runs.map((r) => r.uploadPhaseRate));
    const peakRss = Math.max(...runs.map((r) => r.peakRss));
    const exactlyOnce = runs.every((r) => r.exactlyOnce);
    const mid = runs.find((r) => r.wholeRate === wholeRate)!;
    const setup = {
      files: count,
      runs: runCount,
      fileKB: round(totalBytes / count / 1000, 1),
      totalMB: round(totalBytes / MB, 1),
      activity: '10-minute FIT, 1 record/s, distinct start and serial',
      config: 'intake.settleS 0, intake.backfill all, upload.concurrency 2 (default), tokens in a file',
      sandbox: 'mmt-sync sandbox in its own process on 127.0.0.1, in memory, no latency or faults; a fresh one (and a fresh journal) per run',
      generateS: round(generateS, 1),
    };
    const perRun = runs.map((r) => r.detail);
    return [
      {
        id: 'backlog-throughput',
        what:
          `\`mmt-sync sync --folder DIR --json\` over a generated ${count}-file FIT backlog to the loopback sandbox (its own process), ` +
          `timed from spawn to exit: startup, scan (stat, read, classify, journal, spool) and every upload; median of ${runCount} runs`,
        target: `>= ${TARGET_FILES_PER_S} files/s`,
        pass: wholeRate >= TARGET_FILES_PER_S && exactlyOnce,
        headline: `${round(wholeRate, 1)} files/s (${round(count / wholeRate, 2)} s for ${count})`,
        numbers: { filesPerS: round(wholeRate, 1), medianRun: mid.detail, runs: perRun, setup },
      },
      {
        id: 'backlog-upload-phase',
        what:
          "the same runs' upload phase alone: first to last uploadActivity request as the sandbox logged their arrival ((n-1) / span); " +
          `median of ${runCount} runs`,
        target: `>= ${TARGET_FILES_PER_S} files/s`,
        pass: uploadPhaseRate >= TARGET_FILES_PER_S && exactlyOnce,
        headline: `${round(uploadPhaseRate, 1)} files/s`,
        numbers: { filesPerS: round(uploadPhaseRate, 1), perRun: perRun.map((r) => r.uploadPhaseFilesPerS) },
      },
      {
        id: 'backlog-peak-rss',
        what: `peak RSS of the mmt-sync sync process over a whole backlog run (${mid.peakRssSource}); highest of ${runCount} runs`,
        target: `<= ${TARGET_PEAK_MB} MB`,
        pass: peakRss <= TARGET_PEAK_MB * MB,
        headline: `${round(peakRss / MB, 1)} MB`,
        numbers: { unit: 'MB = 10^6 bytes', peakRssMB: round(peakRss / MB, 1), perRun: perRun.map((r) => r.peakRssMB) },
      },
      {
        id: 'backlog-exactly-once',
        what: 'every generated file reached the sandbox exactly once (by sha256), with one 200 uploadActivity request each and sync reporting them uploaded, in every run',
        target: `${count} of ${count}, none twice`,
        pass: exactlyOnce,
        headline: `${runs.filter((r) => r.exactlyOnce).length} of ${runCount} runs: ${count - Math.max(...runs.map((r) => r.server.missing))} of ${count}, ${Math.max(...runs.map((r) => r.server.twice))} twice`,
        numbers: { perRun: runs.map((r) => r.server) },
      },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Memory with a backlog ten times larger: one `sync` of MMT_BENCH_BIG_BACKLOG_FILES (default
 * 10,000) files, its peak RSS held against the same target. Reads, judging and uploads
 * overlap, so what is held at once is bounded by the readers and uploads in flight, not by
 * the size of the backlog.
 */
export async function measureBigBacklog(): Promise<Check[]> {
  const raw = process.env.MMT_BENCH_BIG_BACKLOG_FILES;
  const count = raw === undefined || raw === '' ? 10_000 : Number(raw);
  if (!Number.isInteger(count) || count < 2) throw new Error(`Expected MMT_BENCH_BIG_BACKLOG_FILES to be an integer >= 2, got ${JSON.stringify(raw)}`);
  const work = mkdtempSync(join(tmpdir(), 'mmt-sync-bench-big-backlog-'));
  try {
    const folder = join(work, 'Activity');
    const files = writeBacklog(folder, count);
    progress(`big backlog: ${count} FIT files generated`);
    const run = await runOnce(folder, files);
    return [
      {
        id: 'backlog-10k-peak-rss',
        what: `peak RSS of one \`mmt-sync sync --folder DIR --json\` over a ${count}-file FIT backlog to the loopback sandbox (${run.peakRssSource}), every file exactly once`,
        target: `<= ${TARGET_PEAK_MB} MB`,
        pass: run.peakRss <= TARGET_PEAK_MB * MB && run.exactlyOnce,
        headline: `${round(run.peakRss / MB, 1)} MB (${run.detail.filesPerS} files/s, exactly once: ${run.exactlyOnce})`,
        numbers: { unit: 'MB = 10^6 bytes', files: count, peakRssMB: round(run.peakRss / MB, 1), run: run.detail, server: run.server },
      },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
