/**
 * The scanner stage of `mmt-sync import`: a history export read member by member
 * (src/exports) becomes candidates for the same intake as every watch and folder, each
 * with what the export says about it (Strava's name and type), in the import's own lane
 * (paced uploads) and never subject to the backfill window.
 *
 * Members are named in the journal like a zip in a source: relative to the folder holding
 * the export (`export_123.zip!/activities/1.fit.gz`, or `activities/1.fit.gz` under an
 * unpacked export), under the source `import:<the export's absolute path>`.
 */
import { stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import type { ExportItem, ExportSummary } from '../exports/index.js';
import type { Journal } from '../journal/journal.js';
import type { Candidate } from './candidate.js';

export const IMPORT_LANE = 'import';

/** The source every member of the export at `path` is journaled under. */
export function importSourceId(path: string): string {
  return `import:${resolve(path)}`;
}

/** How a member (as readExport names it) is keyed within the import's source. */
export async function memberKey(path: string): Promise<(memberPath: string) => string> {
  const root = resolve(path);
  const base = (await stat(root)).isDirectory() ? root : dirname(root);
  return (memberPath) => relative(base, memberPath).split(sep).join('/');
}

export interface ImportListOptions {
  readonly path: string;
  readonly window?: Candidate['window'];
  /** Waits while enough of this import is queued and not yet sent: the spool holds a bounded number of copies. */
  readonly gate?: () => Promise<void>;
}

/** What the scanner made of an export's items (for the final summary). */
export interface ImportListing {
  routes: number;
  summary?: ExportSummary;
}

/**
 * Candidates for every activity and every problem of the export (a problem is journaled
 * as skipped with its reason); planned routes are counted, not journaled.
 */
export async function* importCandidates(items: AsyncGenerator<ExportItem, ExportSummary>, journal: Journal, options: ImportListOptions, listing: ImportListing): AsyncGenerator<Candidate> {
  const sourceId = importSourceId(options.path);
  const keyOf = await memberKey(options.path);
  const exportMtime = Math.trunc((await stat(options.path)).mtimeMs);
  for (;;) {
    const step = await items.next();
    if (step.done) {
      listing.summary = step.value;
      return;
    }
    const item = step.value;
    if (item.kind === 'not-activity') {
      listing.routes++;
      continue;
    }
    await options.gate?.();
    const relPath = keyOf(item.memberPath);
    const known = journal.atPath(sourceId, relPath);
    const common = {
      sourceId,
      relPath,
      path: item.memberPath,
      readyAt: 0,
      lane: IMPORT_LANE,
      ...(options.window ? { window: options.window } : {}),
      ...(known ? { known: { id: known.id, state: known.state, unread: known.unread } } : {}),
    };
    if (item.kind === 'problem') {
      const refused = { kind: 'refused', reason: item.reason } as const;
      yield { ...common, name: relPath.slice(relPath.lastIndexOf('/') + 1), size: 0, mtimeMs: exportMtime, timeHintMs: exportMtime, bytes: { read: async () => refused } };
      continue;
    }
    const mtimeMs = Math.trunc(item.modifiedMs ?? exportMtime);
    const start = item.strava?.start ? Date.parse(item.strava.start) : Number.NaN;
    const read = { kind: 'read', bytes: item.bytes, size: item.bytes.length, mtimeMs } as const;
    yield {
      ...common,
      name: item.name,
      size: item.bytes.length,
      mtimeMs,
      timeHintMs: Number.isNaN(start) ? mtimeMs : start,
      ...(item.strava?.activityType ? { activityType: item.strava.activityType } : {}),
      ...(item.strava?.name ? { activityName: item.strava.name } : {}),
      bytes: { read: async () => read },
    };
  }
}
