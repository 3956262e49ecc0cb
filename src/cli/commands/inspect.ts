import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { usageError } from '../../errors.js';
import type { Activity } from '../../formats/activity.js';
import { classifyFile } from '../../formats/classify.js';
import { loadConfig } from '../../config/load.js';
import { intakeLimits } from '../../intake/scan.js';
import type { GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface InspectOptions extends GlobalOptions {
  readonly files: readonly string[];
}

export type InspectResult = Omit<Activity, 'repaired'> & { readonly file: string; readonly repairedAs?: string };

/** The summary and verdict of each file; nothing is written anywhere. */
export async function runInspect(options: InspectOptions, io: Io): Promise<InspectResult[]> {
  const { config } = loadConfig(options.config ? { configFile: options.config } : {});
  const maxBytes = intakeLimits(config).maxFileBytes;
  const results: InspectResult[] = [];
  for (const file of options.files) {
    const path = resolve(file);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw usageError('UNREADABLE_PATH', `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    if (!info.isFile()) throw usageError('UNREADABLE_PATH', `${file}: not a regular file`);
    let activity: Activity;
    if (info.size > maxBytes) {
      activity = { format: 'unknown', kind: 'unknown', points: 0, positions: 0, problems: [], verdict: 'skip', reason: `file is larger than the ${config.intake.maxFileMB} MB cap` };
    } else {
      activity = classifyFile(basename(path), await readFile(path));
    }
    const { repaired, ...summary } = activity;
    results.push({ file, ...summary, ...(repaired ? { repairedAs: repaired.format } : {}) });
  }
  if (options.json) {
    io.out(JSON.stringify(results, null, 2));
  } else {
    for (const r of results) io.out(describe(r));
  }
  return results;
}

function describe(r: InspectResult): string {
  const facts = [
    r.format.toUpperCase(),
    r.kind,
    r.activityType ?? r.sport,
    r.start,
    r.durationS !== undefined ? `${Math.round(r.durationS / 60)} min` : undefined,
    r.distanceM !== undefined ? `${(r.distanceM / 1000).toFixed(2)} km` : undefined,
    `${r.points} points (${r.positions} positioned)`,
    r.device ? [r.device.manufacturer, r.device.product, r.device.serial].filter(Boolean).join(' ') : undefined,
  ].filter(Boolean);
  return `${r.file}: ${r.verdict.toUpperCase()} — ${r.reason}\n  ${facts.join(' · ')}${r.problems.length ? `\n  problems: ${r.problems.join('; ')}` : ''}`;
}
