import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { failure } from '../../errors.js';
import type { Activity } from '../../formats/activity.js';
import { classifyFile } from '../../formats/classify.js';
import { loadConfig } from '../../config/load.js';
import { intakeLimits } from '../../intake/scan.js';
import { walkSource } from '../../sources/index.js';
import type { GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface InspectOptions extends GlobalOptions {
  /** Files, and folders whose activity files (.fit, .gpx, .tcx) are inspected recursively. */
  readonly files: readonly string[];
}

export type InspectedFile = Omit<Activity, 'repaired'> & { readonly file: string; readonly repairedAs?: string };
/** A path that could not be inspected (missing, unreadable, a folder that could not be walked). */
export interface InspectError {
  readonly file: string;
  readonly error: string;
}
export type InspectResult = InspectedFile | InspectError;

const skipped = (reason: string): Activity => ({ format: 'unknown', kind: 'unknown', points: 0, positions: 0, problems: [], verdict: 'skip', reason });

function errnoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/**
 * The summary and verdict of each file; nothing is written anywhere. A path that cannot
 * be read is reported and the rest still inspected; then the command fails (exit 1).
 */
export async function runInspect(options: InspectOptions, io: Io, signal?: AbortSignal): Promise<InspectResult[]> {
  const { config } = loadConfig(options.config ? { configFile: options.config } : {});
  const maxBytes = intakeLimits(config).maxFileBytes;
  const results: InspectResult[] = [];
  const report = (result: InspectResult) => {
    results.push(result);
    if ('error' in result) io.log.error(`${result.file}: ${result.error}`);
    else if (!options.json) io.out(describe(result));
  };
  const inspectFile = async (file: string, path: string, size: number) => {
    try {
      const activity = size > maxBytes ? skipped(`file is larger than the ${config.intake.maxFileMB} MB cap`) : classifyFile(basename(path), await readFile(path));
      const { repaired, ...summary } = activity;
      report({ file, ...summary, ...(repaired ? { repairedAs: repaired.format } : {}) });
    } catch (error) {
      report({ file, error: errnoReason(error) });
    }
  };

  for (const file of options.files) {
    signal?.throwIfAborted();
    const path = resolve(file);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      report({ file, error: errnoReason(error) });
      continue;
    }
    if (info.isFile()) {
      await inspectFile(file, path, info.size);
    } else if (info.isDirectory()) {
      const walk = walkSource({ root: path }, { maxFileBytes: maxBytes, ...(signal ? { signal } : {}), onProblem: (p) => report({ file: join(file, p.relPath), error: p.message }) });
      for await (const entry of walk) {
        const shown = join(file, entry.relPath);
        if (entry.kind === 'refused') report({ file: shown, ...skipped(entry.reason) });
        else await inspectFile(shown, entry.path, entry.size);
      }
    } else {
      report({ file, error: 'not a regular file or folder' });
    }
  }
  if (options.json) io.out(JSON.stringify(results, null, 2));
  const errors = results.filter((r) => 'error' in r).length;
  if (errors) throw failure('INSPECT_INCOMPLETE', `${errors} of ${results.length} path${results.length === 1 ? '' : 's'} could not be inspected`);
  return results;
}

function describe(r: InspectedFile): string {
  const facts = [
    r.format.toUpperCase(),
    r.kind,
    r.activityType ?? r.sport,
    r.start,
    r.durationS !== undefined ? `${Math.round(r.durationS / 60)} min` : undefined,
    r.distanceM !== undefined ? `${(r.distanceM / 1000).toFixed(2)} km` : undefined,
    `${r.points} points (${r.positions} positioned)`,
    r.device ? [r.device.manufacturer, r.device.product, r.device.serial && `serial ${r.device.serial}`].filter(Boolean).join(' ') : undefined,
  ].filter(Boolean);
  return `${r.file}: ${r.verdict.toUpperCase()} — ${r.reason}\n  ${facts.join(' · ')}${r.problems.length ? `\n  problems: ${r.problems.join('; ')}` : ''}`;
}
