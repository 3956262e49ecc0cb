/**
 * The one shape every benchmark module writes to `bench/results/<name>.json`, and the
 * harness that fills in what is common (date, machine, duration) and writes it.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { writeFileAtomic } from '../../src/fsutil/atomic-write.js';
import { resultPath, resultsDir } from './paths.js';
import { round } from './stats.js';

/** One measured figure held against one target from the issue. */
export interface Check {
  /** Stable key, e.g. `noop-rescan`. */
  readonly id: string;
  /** What was measured, in a sentence. */
  readonly what: string;
  /** The target as the issue states it, e.g. `median <= 150 ms`. */
  readonly target: string;
  readonly pass: boolean;
  /** The figure the summary table shows, with its unit: `42 ms median`. */
  readonly headline: string;
  /** Every number behind the headline, for whoever wants to look closer. */
  readonly numbers: Readonly<Record<string, unknown>>;
}

export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGB: number;
  /** 1, 5 and 15 minute load averages when the module started: a busy machine reads slow. */
  readonly loadavgAtStart: readonly number[];
}

export interface ModuleResult {
  readonly name: string;
  readonly date: string;
  readonly durationS: number;
  readonly machine: MachineInfo;
  readonly checks: readonly Check[];
}

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGB: round(totalmem() / 2 ** 30, 1),
    loadavgAtStart: loadavg().map((l) => round(l, 2)),
  };
}

/** Progress goes to stderr; stdout is left to the summary table of main.ts. */
export function progress(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

/**
 * Runs one module's measurements and writes its result file. Called by the module's
 * own entry point, which main.ts starts in a child process of its own.
 */
export async function runModule(name: string, measure: () => Promise<readonly Check[]>): Promise<ModuleResult> {
  const machine = machineInfo();
  const date = new Date();
  const started = performance.now();
  const checks = await measure();
  const result: ModuleResult = {
    name,
    date: date.toISOString(),
    durationS: round((performance.now() - started) / 1000, 1),
    machine,
    checks,
  };
  mkdirSync(resultsDir(), { recursive: true });
  writeFileAtomic(resultPath(name), `${JSON.stringify(result, null, 2)}\n`, 0o644);
  return result;
}
