/**
 * Reads a history export (a Strava or Garmin Connect bulk export, zipped or unpacked, or
 * any folder or archive of activity files) into activity members with what the export
 * says about them: Strava's names, types and dates from activities.csv. Planned routes
 * come out as "not an activity" without being decompressed. Nothing is uploaded or
 * journaled here: `mmt-sync import` (phase B) takes these items through the intake.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { expandArchive, isGzipName, isWantedByDefault, isZipName, listZip, MEMBER_SEPARATOR, sniffArchive, type ArchiveCaps, type ArchiveItem } from '../archive/index.js';
import { formatBytes } from '../fsutil/format-bytes.js';
import { recognizeExport, roleOf, type ExportLayout } from './layout.js';
import { exportPath, parseStravaActivitiesCsv, type StravaActivity, type StravaCsv } from './strava-csv.js';

export type ExportItem =
  | {
      readonly kind: 'activity';
      /** `export.zip!/activities/1.fit.gz`, or `<folder>/activities/1.fit.gz` for an unpacked export. */
      readonly memberPath: string;
      /** The name to classify the content under: `1.fit`. */
      readonly name: string;
      readonly bytes: Uint8Array;
      readonly modifiedMs?: number;
      /** What Strava's activities.csv says about this file. */
      readonly strava?: StravaActivity;
    }
  | { readonly kind: 'not-activity'; readonly memberPath: string; readonly reason: string }
  | { readonly kind: 'problem'; readonly memberPath: string; readonly reason: string };

export interface ExportSummary {
  readonly layout: ExportLayout['kind'];
  readonly activities: number;
  readonly notActivities: number;
  readonly problems: number;
  /** activities.csv: rows read, rows without a file (entered by hand), or why it could not be read. */
  readonly csv?: { readonly rows: number; readonly withoutFile: number } | { readonly problem: string };
}

export interface ReadExportOptions {
  readonly caps: ArchiveCaps;
  readonly signal?: AbortSignal;
  /** @default os.tmpdir() */
  readonly tempDir?: string;
}

const ROUTE = 'a Strava route (a planned route), not an activity';

interface Source {
  /** Entry names, `/`-separated, relative to the export. */
  readonly names: readonly string[];
  readonly readCsv: (name: string) => Promise<string>;
  /** The items of the named entries (activities, and what archives among them hold), in order. */
  readonly items: (names: readonly string[]) => AsyncGenerator<ArchiveItem & { readonly entry: string }>;
  readonly pathOf: (name: string) => string;
}

export async function* readExport(path: string, options: ReadExportOptions): AsyncGenerator<ExportItem, ExportSummary, undefined> {
  const info = await stat(path);
  const source = info.isDirectory() ? await folderSource(path, options) : await zipOrFileSource(path, options);
  if ('problem' in source) {
    yield { kind: 'problem', memberPath: path, reason: source.problem };
    return { layout: 'plain', activities: 0, notActivities: 0, problems: 1 };
  }
  const layout = recognizeExport(source.names);
  const counts = { activities: 0, notActivities: 0, problems: 0 };
  let csv: StravaCsv | undefined;
  let csvSummary: ExportSummary['csv'];
  if (layout.kind === 'strava') {
    const csvName = source.names.find((n) => n.toLowerCase() === `${layout.root}activities.csv`.toLowerCase())!;
    try {
      csv = parseStravaActivitiesCsv(await source.readCsv(csvName));
      csvSummary = { rows: csv.rows, withoutFile: csv.withoutFile };
    } catch (error) {
      csvSummary = { problem: (error as Error).message };
    }
  }
  const wanted: string[] = [];
  for (const name of source.names) {
    const role = roleOf(layout, name);
    if (role === 'route') {
      counts.notActivities++;
      yield { kind: 'not-activity', memberPath: source.pathOf(name), reason: ROUTE };
    } else if (role !== 'other') wanted.push(name);
  }
  for await (const item of source.items(wanted)) {
    if (item.kind === 'problem') {
      counts.problems++;
      yield { kind: 'problem', memberPath: item.memberPath, reason: item.reason };
      continue;
    }
    counts.activities++;
    const strava = layout.kind === 'strava' ? csv?.byFile.get(exportPath(item.entry.slice(layout.root.length))) : undefined;
    yield { kind: 'activity', memberPath: item.memberPath, name: item.name, bytes: item.bytes, ...(item.modifiedMs !== undefined ? { modifiedMs: item.modifiedMs } : {}), ...(strava ? { strava } : {}) };
  }
  return { layout: layout.kind, ...counts, ...(csvSummary ? { csv: csvSummary } : {}) };
}

/** A zip (the export itself), or a single gzipped or plain activity file. */
async function zipOrFileSource(path: string, options: ReadExportOptions): Promise<Source | { problem: string }> {
  const kind = await sniffArchive(path);
  if (kind !== 'zip') {
    // One file: expandArchive handles a gzipped one; a plain one is read as it is.
    return {
      names: [''],
      readCsv: () => Promise.reject(new Error('not an export')),
      pathOf: () => path,
      items: async function* () {
        if (kind === 'gzip' || isGzipName(path)) {
          for await (const item of expandArchive(path, archiveOptions(options, path))) yield { ...item, entry: '' };
        } else yield { ...(await readPlain(path, path, options)), entry: '' };
      },
    };
  }
  const listing = await listZip(path, options.caps);
  if (!listing.ok) return { problem: listing.reason };
  const prefix = `${path}${MEMBER_SEPARATOR}`;
  return {
    names: listing.names,
    pathOf: (name) => `${prefix}${name}`,
    readCsv: async (name) => {
      for await (const item of expandArchive(path, { ...archiveOptions(options, path), wants: (n) => n === name })) {
        if (item.kind === 'member') return Buffer.from(item.bytes).toString('utf8');
        throw new Error(`activities.csv: ${item.reason}`);
      }
      throw new Error('activities.csv could not be read');
    },
    items: async function* (names) {
      const top = new Set(names);
      // One pass over the zip: the names the layout chose, and in zips among them their activity files.
      const wants = (name: string, depth: number) => (depth === 1 ? top.has(name) : isWantedByDefault(name));
      for await (const item of expandArchive(path, { ...archiveOptions(options, path), wants })) {
        const entry = item.memberPath.slice(prefix.length).split(MEMBER_SEPARATOR)[0]!;
        yield { ...item, entry };
      }
    },
  };
}

/** An unpacked export, or any folder of activity files. */
async function folderSource(dir: string, options: ReadExportOptions): Promise<Source> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const names = entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).split(sep).join('/'))
    .filter((n) => !n.split('/').some((part) => part.startsWith('.')))
    .sort();
  const pathOf = (name: string) => join(dir, ...name.split('/'));
  return {
    names,
    pathOf,
    readCsv: (name) => readFile(pathOf(name), 'utf8'),
    items: async function* (wantedNames) {
      for (const name of wantedNames) {
        options.signal?.throwIfAborted();
        const path = pathOf(name);
        if (isZipName(name) || isGzipName(name)) {
          for await (const item of expandArchive(path, archiveOptions(options, path))) yield { ...item, entry: name };
        } else yield { ...(await readPlain(path, path, options)), entry: name };
      }
    },
  };
}

function archiveOptions(options: ReadExportOptions, display: string) {
  return { caps: options.caps, display, ...(options.signal ? { signal: options.signal } : {}), ...(options.tempDir ? { tempDir: options.tempDir } : {}) };
}

async function readPlain(path: string, display: string, options: ReadExportOptions): Promise<ArchiveItem> {
  try {
    const info = await stat(path);
    if (info.size > options.caps.maxMemberBytes) return { kind: 'problem', memberPath: display, reason: `file is larger than the ${formatBytes(options.caps.maxMemberBytes)} cap` };
    return { kind: 'member', memberPath: display, name: path.split(sep).pop()!, bytes: await readFile(path), modifiedMs: info.mtimeMs };
  } catch (error) {
    return { kind: 'problem', memberPath: display, reason: `not readable: ${(error as Error).message}` };
  }
}
