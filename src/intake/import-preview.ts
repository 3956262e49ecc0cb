/**
 * What `mmt-sync import` would do with an export, before anything is recorded or sent:
 * each member read, hashed and classified once, and judged by the rules the intake will
 * apply (take-in.ts): counts by year and sport of what goes up, what this account already
 * got through mmt-sync, duplicates (inside the export, or waiting elsewhere already), what
 * is not an activity, what lies outside the dates asked for, and every problem with its
 * reason. Reads the journal, writes nothing.
 */
import { createHash } from 'node:crypto';
import type { ExportItem, ExportSummary } from '../exports/index.js';
import { classifyFile } from '../formats/classify.js';
import type { Journal } from '../journal/journal.js';
import { activityTime } from './backfill.js';
import type { Candidate } from './candidate.js';
import { importSourceId, memberKey } from './import-list.js';
import { inWindow, recordedActivity } from './take-in.js';

export interface ImportPreview {
  readonly layout: ExportSummary['layout'];
  /** activities.csv: rows read, or why it could not be (Strava). */
  readonly csv?: ExportSummary['csv'];
  /** Activity files found (plain, gzipped, in zips). */
  readonly files: number;
  readonly toUpload: number;
  /** Of `toUpload`: taken in by an earlier run of this import and not sent yet. */
  readonly resumed: number;
  /** What goes up, by year of the activity's start, then by activity type. */
  readonly byYear: Record<string, Record<string, number>>;
  readonly alreadyUploaded: number;
  readonly duplicates: number;
  /** Planned routes (Strava's `routes/`) and files that are no activity (settings, workouts, …), with the most common reasons. */
  readonly notActivities: { readonly count: number; readonly routes: number; readonly reasons: Record<string, number> };
  /** Outside --since/--until. */
  readonly outside: number;
  readonly problems: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
}

export async function previewImport(items: AsyncGenerator<ExportItem, ExportSummary>, journal: Journal, options: { readonly path: string; readonly window?: Candidate['window'] }): Promise<ImportPreview> {
  const sourceId = importSourceId(options.path);
  const keyOf = await memberKey(options.path);
  const seenContent = new Set<string>();
  const seenActivity = new Set<string>();
  const byYear: Record<string, Record<string, number>> = {};
  const reasons: Record<string, number> = {};
  const problems: Array<{ path: string; reason: string }> = [];
  const counts = { files: 0, toUpload: 0, resumed: 0, alreadyUploaded: 0, duplicates: 0, notActivities: 0, routes: 0, outside: 0 };
  let summary: ExportSummary;
  for (;;) {
    const step = await items.next();
    if (step.done) {
      summary = step.value;
      break;
    }
    const item = step.value;
    if (item.kind === 'not-activity') {
      counts.notActivities++;
      counts.routes++;
      continue;
    }
    if (item.kind === 'problem') {
      problems.push({ path: item.memberPath, reason: item.reason });
      continue;
    }
    counts.files++;
    const sha256 = createHash('sha256').update(item.bytes).digest('hex');
    const activity = recordedActivity({ ...(item.strava?.activityType ? { activityType: item.strava.activityType } : {}) }, classifyFile(item.name, item.bytes));
    if (activity.verdict === 'skip') {
      counts.notActivities++;
      reasons[activity.reason] = (reasons[activity.reason] ?? 0) + 1;
      continue;
    }
    const hint = item.strava?.start ? Date.parse(item.strava.start) : (item.modifiedMs ?? 0);
    const activityAt = activityTime(activity.start, hint);
    if (!inWindow(activityAt, options.window)) {
      counts.outside++;
      continue;
    }
    const identity = activity.identity;
    const earlier = journal.findDuplicate(-1, sha256, identity);
    const inside = seenContent.has(sha256) || (identity !== undefined && seenActivity.has(identity));
    seenContent.add(sha256);
    if (identity !== undefined) seenActivity.add(identity);
    if (earlier?.state === 'uploaded') counts.alreadyUploaded++;
    else if (inside) counts.duplicates++;
    else if (earlier && earlier.sourceId === sourceId && earlier.relPath === keyOf(item.memberPath)) {
      counts.toUpload++;
      counts.resumed++;
      tally(byYear, activityAt, activity.activityType);
    } else if (earlier && earlier.state !== 'baseline') counts.duplicates++;
    else {
      counts.toUpload++;
      tally(byYear, activityAt, activity.activityType);
    }
  }
  return {
    layout: summary.layout,
    ...(summary.csv ? { csv: summary.csv } : {}),
    files: counts.files,
    toUpload: counts.toUpload,
    resumed: counts.resumed,
    byYear,
    alreadyUploaded: counts.alreadyUploaded,
    duplicates: counts.duplicates,
    notActivities: { count: counts.notActivities, routes: counts.routes, reasons },
    outside: counts.outside,
    problems,
  };
}

function tally(byYear: Record<string, Record<string, number>>, at: number, type: string | undefined): void {
  const year = new Date(at).getUTCFullYear().toString();
  const sport = type ?? 'unknown';
  const row = (byYear[year] ??= {});
  row[sport] = (row[sport] ?? 0) + 1;
}
