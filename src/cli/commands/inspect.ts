import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { archiveKindOf, defaultCaps, expandArchive, isArchiveName, isGzipName, isWantedByDefault } from '../../archive/index.js';
import { failure } from '../../errors.js';
import type { Activity } from '../../formats/activity.js';
import { classifyFile } from '../../formats/classify.js';
import { loadConfig } from '../../config/load.js';
import { intakeLimits } from '../../intake/scan.js';
import { walkSource } from '../../sources/index.js';
import type { GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface InspectOptions extends GlobalOptions {
  /** Files, and folders whose activity files and archives are inspected recursively. */
  readonly files: readonly string[];
}

export type InspectedFile = Omit<Activity, 'repaired'> & { readonly file: string; readonly repairedAs?: string };
/** A path that could not be inspected (missing, unreadable, a folder that could not be walked). */
export interface InspectError {
  readonly file: string;
  readonly error: string;
}
export type InspectResult = InspectedFile | InspectError;

/** What a folder walk lists; each name is then kept only if it is an activity (maybe gzipped) or a zip. */
const FOLDER_EXTENSIONS = ['.fit', '.gpx', '.tcx', '.gz', '.zip'];

const notRead = (reason: string, kind = 'unknown'): Activity => ({ format: 'unknown', kind, points: 0, positions: 0, problems: [], verdict: 'skip', reason });

function result(file: string, activity: Activity): InspectedFile {
  const { repaired, ...summary } = activity;
  return { file, ...summary, ...(repaired ? { repairedAs: repaired.format } : {}) };
}

function errnoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/**
 * The summary and verdict of each file; nothing is written anywhere. A folder is walked
 * recursively; a zip or a gzipped file gives one result per member
 * (`export.zip!/activities/1.fit.gz`), decompressed in memory under the same caps as the
 * intake. A path that cannot be read is reported and the rest still inspected; then the
 * command fails (exit 1).
 */
export async function runInspect(options: InspectOptions, io: Io, signal?: AbortSignal): Promise<InspectResult[]> {
  const { config } = loadConfig(options.config ? { configFile: options.config } : {});
  const maxBytes = intakeLimits(config).maxFileBytes;
  const results: InspectResult[] = [];
  const report = (item: InspectResult) => {
    results.push(item);
    if ('error' in item) io.log.error(`${item.file}: ${item.error}`);
    else if (!options.json) io.out(describe(item));
  };

  const inspectFile = async (file: string, path: string, size: number) => {
    try {
      // An archive may be larger than the cap (its members may not); anything else over it is not even opened.
      if (isArchiveName(path) || isGzipName(path)) return await inspectArchive(path, file, maxBytes, report, signal);
      if (size > maxBytes) return report(result(file, notRead(`file is larger than the ${config.intake.maxFileMB} MB cap`)));
      const bytes = await readFile(path);
      // Content first: a zip or gzip under another name is still one.
      if (archiveKindOf(bytes)) return await inspectArchive(path, file, maxBytes, report, signal);
      report(result(file, classifyFile(basename(path), bytes)));
    } catch (error) {
      if (signal?.aborted) throw error;
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
      // The size cap is applied per file above (archives may exceed it), not by the walk.
      const walk = walkSource(
        { root: path },
        { maxFileBytes: Number.MAX_SAFE_INTEGER, extensions: FOLDER_EXTENSIONS, ...(signal ? { signal } : {}), onProblem: (p) => report({ file: join(file, p.relPath), error: p.message }) },
      );
      for await (const entry of walk) {
        const shown = join(file, entry.relPath);
        if (entry.kind === 'refused') report(result(shown, notRead(entry.reason)));
        else if (isWantedByDefault(entry.relPath)) await inspectFile(shown, entry.path, entry.size);
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

async function inspectArchive(path: string, file: string, maxBytes: number, report: (item: InspectResult) => void, signal: AbortSignal | undefined): Promise<void> {
  const members = expandArchive(path, { caps: defaultCaps(maxBytes), display: file, ...(signal ? { signal } : {}) });
  for (;;) {
    const step = await members.next();
    if (step.done) {
      const { members: found, problems, ignored } = step.value;
      if (found + problems === 0) report(result(file, notRead(`no activity files inside (${ignored} other entr${ignored === 1 ? 'y' : 'ies'})`, 'archive')));
      return;
    }
    const item = step.value;
    report(result(item.memberPath, item.kind === 'member' ? classifyFile(item.name, item.bytes) : notRead(item.reason, 'refused')));
  }
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
