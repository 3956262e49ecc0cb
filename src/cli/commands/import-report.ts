/** The words of `mmt-sync import`: its preview and its summary, as text. */
import type { ImportPreview } from '../../intake/import-preview.js';

const LAYOUTS: Record<ImportPreview['layout'], string> = {
  strava: 'a Strava bulk export',
  'garmin-connect': 'a Garmin Connect bulk export',
  plain: 'activity files',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function describePreview(path: string, preview: ImportPreview): string {
  const lines = [`${path}: ${LAYOUTS[preview.layout]}, ${plural(preview.files, 'activity file')}`];
  if (preview.csv && 'problem' in preview.csv) lines.push(`  activities.csv not used: ${preview.csv.problem}`);
  else if (preview.csv) lines.push(`  activities.csv: ${plural(preview.csv.rows, 'row')} (names and types taken from it)`);
  lines.push(`  to upload: ${preview.toUpload}${preview.resumed ? ` (${preview.resumed} taken in by an earlier run, not sent yet)` : ''}`);
  for (const year of Object.keys(preview.byYear).sort().reverse()) {
    const sports = Object.entries(preview.byYear[year]!).sort((a, b) => b[1] - a[1]);
    const total = sports.reduce((sum, [, n]) => sum + n, 0);
    lines.push(`    ${year}  ${String(total).padStart(5)}  ${sports.map(([sport, n]) => `${sport} ${n}`).join(', ')}`);
  }
  lines.push(`  already uploaded: ${preview.alreadyUploaded}`);
  lines.push(`  duplicates: ${preview.duplicates}`);
  const { notActivities } = preview;
  const why = [...(notActivities.routes ? [[`planned routes`, notActivities.routes] as const] : []), ...Object.entries(notActivities.reasons).sort((a, b) => b[1] - a[1])].slice(0, 4);
  lines.push(`  not activities: ${notActivities.count}${why.length ? ` (${why.map(([reason, n]) => `${n} ${reason}`).join('; ')})` : ''}`);
  if (preview.outside) lines.push(`  outside the dates asked for: ${preview.outside}`);
  if (preview.problems.length) {
    lines.push(`  problems: ${preview.problems.length}`);
    for (const problem of preview.problems) lines.push(`    ✗ ${problem.path}: ${problem.reason}`);
  }
  return lines.join('\n');
}

export interface ImportResult {
  readonly uploaded: number;
  readonly alreadyThere: number;
  readonly failed: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
  readonly pending: number;
  /** Answers of 429 the pace met (each waited out, the file sent again). */
  readonly rateLimited: number;
  readonly seconds: number;
  /** Uploads a minute the pace settled at (absent when the server never said 429). */
  readonly ceilingPerMin?: number;
}

export function describeResult(result: ImportResult): string {
  const rows: Array<[string, number]> = [
    ['uploaded', result.uploaded],
    ['already there', result.alreadyThere],
    ['rate limited (waited, sent again)', result.rateLimited],
    ['failed', result.failed.length],
    ['still pending', result.pending],
  ];
  const lines = rows.map(([label, n]) => `  ${label.padEnd(34)}${String(n).padStart(6)}`);
  for (const f of result.failed) lines.push(`  ✗ ${f.file}: ${f.reason}`);
  const pace = result.ceilingPerMin !== undefined ? `; the server took about ${Math.round(result.ceilingPerMin)} a minute` : '';
  return `import summary (${Math.round(result.seconds)} s${pace})\n${lines.join('\n')}`;
}
