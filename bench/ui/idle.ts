import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, envNumber, type DaemonBench } from '../daemon/setup.js';
import { sampleIdle, type IdleSample } from '../lib/idle-sampler.js';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { MB, round } from '../lib/stats.js';
import { cliPath, sleep, startChild, stopChild, type Child } from '../upload/processes.js';

const TARGET_CPU_PCT = 0.1;
const TARGET_RSS_MB = 90;
const SETTLE_IN_S = 10;

/** The same daemon with `ui.enabled: true` (its own config file, otherwise the same). */
async function startDaemonWithUi(bench: DaemonBench): Promise<Child> {
  const base = join(bench.home.dir, 'config', 'mmt-sync', 'config.yaml');
  const withUi = join(bench.home.dir, 'config', 'mmt-sync', 'config-ui.yaml');
  copyFileSync(base, withUi);
  writeFileSync(withUi, `${readFileSync(base, 'utf8')}\nui:\n  enabled: true\n  port: 0\n`);
  const daemon = startChild(process.execPath, [cliPath(), 'watch', '--folder', bench.folder, '--config', withUi], bench.home.env);
  try {
    await daemon.waitForStderr('dashboard on http://127.0.0.1:', 30_000);
  } catch (error) {
    await stopChild(daemon, 5_000);
    throw error;
  }
  return daemon;
}

function summary(sample: IdleSample) {
  return {
    cpuPct: round(sample.cpuPct, 4),
    cpuMs: round(sample.cpuMs, 0),
    elapsedS: round(sample.elapsedMs / 1000, 2),
    secondsWithCpu: sample.perSecondCpuMs.filter((ms) => ms > 0).length,
    wakeupsPerS: round(sample.voluntaryWakeups / (sample.elapsedMs / 1000), 2),
    threads: sample.threads,
    rssMaxMB: round(sample.rssMax / MB, 1),
    hwmSinceStartMB: round(sample.hwm / MB, 1),
  };
}

async function idleOf(start: () => Promise<Child>, seconds: number): Promise<IdleSample> {
  const daemon = await start();
  try {
    await sleep(SETTLE_IN_S * 1000);
    return await sampleIdle(daemon.pid, seconds);
  } finally {
    await stopDaemon(daemon);
  }
}

/** The daemon serving the dashboard to nobody, beside the same daemon without it (control), twice each, interleaved. */
export async function measureIdleWithUi(bench: DaemonBench): Promise<Check[]> {
  const seconds = envNumber('MMT_BENCH_IDLE_S', 30, 1);
  const off: IdleSample[] = [];
  const on: IdleSample[] = [];
  for (let round_ = 0; round_ < 2; round_++) {
    off.push(await idleOf(() => startDaemon(bench), seconds));
    on.push(await idleOf(() => startDaemonWithUi(bench), seconds));
  }
  const worst = (samples: IdleSample[], key: 'cpuPct' | 'rssMax') => Math.max(...samples.map((s) => s[key]));
  progress(
    `idle with the dashboard: ${round(worst(on, 'cpuPct'), 3)} % CPU, RSS ${round(worst(on, 'rssMax') / MB, 1)} MB; ` +
      `without: ${round(worst(off, 'cpuPct'), 3)} %, ${round(worst(off, 'rssMax') / MB, 1)} MB`,
  );
  const setup = { idleS: seconds, settleInS: SETTLE_IN_S, runs: 'ui off, ui on, ui off, ui on (each a fresh daemon on the same uploaded folder)' };
  return [
    {
      id: 'ui-idle-cpu',
      what: `CPU time (/proc/<pid>/stat) of \`mmt-sync watch\` with ui.enabled: true and no browser open, over ${seconds} s, ${SETTLE_IN_S} s after start; worst of 2 runs`,
      target: `≈ 0 (<= ${TARGET_CPU_PCT} % of one core)`,
      pass: worst(on, 'cpuPct') <= TARGET_CPU_PCT,
      headline: `${round(worst(on, 'cpuPct'), 3)} % (control, ui off: ${round(worst(off, 'cpuPct'), 3)} %)`,
      numbers: { withUi: on.map(summary), control: off.map(summary), ...setup },
    },
    {
      id: 'ui-idle-rss',
      what: `resident memory (VmRSS, highest of one sample a second) of the same daemon with the dashboard on and nobody looking; worst of 2 runs`,
      target: `<= ${TARGET_RSS_MB} MB`,
      pass: worst(on, 'rssMax') <= TARGET_RSS_MB * MB,
      headline: `${round(worst(on, 'rssMax') / MB, 1)} MB (control, ui off: ${round(worst(off, 'rssMax') / MB, 1)} MB)`,
      numbers: { unit: 'MB = 10^6 bytes', withUi: on.map(summary), control: off.map(summary), ...setup },
    },
  ];
}
