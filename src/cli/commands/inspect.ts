import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { archiveKindOf, defaultCaps, expandArchive, isArchiveName, isGzipName } from '../../archive/index.js';
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

const notRead = (reason: string, kind = 'unknown'): Activity => ({ format: 'unknown', kind, points: 0, positions: 0, problems: [], verdict: 'skip', reason });

function result(file: string, activity: Activity): InspectResult {
  const { repaired, ...summary } = activity;
  return { file, ...summary, ...(repaired ? { repairedAs: repaired.format } : {}) };
}

/**
 * The summary and verdict of each file; nothing is written anywhere. A zip or a gzipped
 * file gives one result per member (`export.zip!/activities/1.fit.gz`), decompressed in
 * memory under the same caps as the intake.
 */
export async function runInspect(options: InspectOptions, io: Io, signal?: AbortSignal): Promise<InspectResult[]> {
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
    // An archive may be larger than the cap (its members may not); anything else over it is not even opened.
    if (isArchiveName(path) || isGzipName(path)) {
      results.push(...(await inspectArchive(path, file, maxBytes, signal)));
    } else if (info.size > maxBytes) {
      results.push(result(file, notRead(`file is larger than the ${config.intake.maxFileMB} MB cap`)));
    } else {
      const bytes = await readFile(path);
      // Content first: a zip or gzip under another name is still one.
      if (archiveKindOf(bytes)) results.push(...(await inspectArchive(path, file, maxBytes, signal)));
      else results.push(result(file, classifyFile(basename(path), bytes)));
    }
  }
  if (options.json) {
    io.out(JSON.stringify(results, null, 2));
  } else {
    for (const r of results) io.out(describe(r));
  }
  return results;
}

async function inspectArchive(path: string, file: string, maxBytes: number, signal: AbortSignal | undefined): Promise<InspectResult[]> {
  const results: InspectResult[] = [];
  const members = expandArchive(path, { caps: defaultCaps(maxBytes), display: file, ...(signal ? { signal } : {}) });
  for (;;) {
    const step = await members.next();
    if (step.done) {
      const { members: found, problems, ignored } = step.value;
      if (found + problems === 0) results.push(result(file, notRead(`no activity files inside (${ignored} other entr${ignored === 1 ? 'y' : 'ies'})`, 'archive')));
      return results;
    }
    const item = step.value;
    results.push(result(item.memberPath, item.kind === 'member' ? classifyFile(item.name, item.bytes) : notRead(item.reason, 'refused')));
  }
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
