/**
 * Strava's bulk export names each activity in `activities.csv`: the file inside the export
 * (`activities/123.fit.gz`), the name the athlete gave it, its type and date. Parsed with
 * csv-parse (names hold commas, quotes and newlines). Columns are found by their header:
 * today's English names, the older `id,date,name,type,filename` export, and the German one;
 * failing those, by the position Strava has kept in every locale seen (ID, date, name,
 * type first) with the file column found by its values.
 * Evidence: hugovk/strava-tools PR #2 (both English header sets, the date format),
 * martin-ueding/geo-activity-playground #191 and #348 (localized headers, same order).
 */
import { parse } from 'csv-parse/sync';
import { stravaActivityType } from './strava-types.js';

export interface StravaActivity {
  readonly id: string;
  /** The file inside the export, `/`-separated: `activities/123.fit.gz`. */
  readonly file: string;
  readonly name?: string;
  /** As Strava wrote it: "Ride", "Virtual Ride", … */
  readonly type?: string;
  /** The Map My Tracks type for it, when there is one. */
  readonly activityType?: string;
  /** ISO 8601 UTC, when the date could be read. */
  readonly start?: string;
}

export interface StravaCsv {
  /** By `file` (see `exportPath`). */
  readonly byFile: ReadonlyMap<string, StravaActivity>;
  readonly rows: number;
  /** Rows without a file: activities entered by hand, nothing to upload. */
  readonly withoutFile: number;
}

type Column = 'id' | 'date' | 'name' | 'type' | 'file';

const HEADERS: Record<Column, readonly string[]> = {
  id: ['activity id', 'id', 'aktivitäts-id'],
  date: ['activity date', 'date', 'aktivitätsdatum'],
  name: ['activity name', 'name', 'name der aktivität'],
  type: ['activity type', 'type', 'aktivitätsart'],
  file: ['filename', 'dateiname'],
};

/** How a path inside an export is keyed: `/`-separated, no leading `./` or `/`. */
export function exportPath(path: string): string {
  return path.trim().replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "Sep 12, 2018, 3:02:23 PM" (today's export) or "2018-09-12 15:02:23" (older ones), both UTC. */
export function stravaDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const english = /^([A-Za-z]{3})[a-z]* (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ?([AP]M)$/i.exec(text.trim());
  if (english) {
    const [, mon, day, year, hour, minute, second, half] = english;
    const month = MONTHS.indexOf(mon!.toLowerCase());
    let h = Number(hour) % 12;
    if (half!.toUpperCase() === 'PM') h += 12;
    if (month < 0) return undefined;
    return new Date(Date.UTC(Number(year), month, Number(day), h, Number(minute), Number(second))).toISOString();
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})Z?$/.exec(text.trim());
  if (iso) {
    const [, y, mo, d, h, mi, s] = iso.map(Number);
    return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!)).toISOString();
  }
  return undefined;
}

function columnsOf(header: readonly string[], rows: readonly string[][]): Record<Column, number> | undefined {
  const names = header.map((h) => h.replace(/^\uFEFF/, '').trim().toLowerCase());
  // The first of duplicated names (Strava repeats "Elapsed Time", "Distance", …).
  const find = (column: Column) => names.findIndex((n) => HEADERS[column].includes(n));
  const found = { id: find('id'), date: find('date'), name: find('name'), type: find('type'), file: find('file') };
  if (Object.values(found).every((i) => i >= 0)) return found;
  // An unknown language: Strava keeps the order; the file column is the one holding activities/ paths.
  const file = header.findIndex((_, i) => rows.some((row) => /^activities\//i.test(exportPath(row[i] ?? ''))));
  if (file < 0 || !rows.every((row) => /^\d*$/.test((row[0] ?? '').trim()))) return undefined;
  return { id: 0, date: 1, name: 2, type: 3, file };
}

/** Throws an Error saying why when `text` is not a Strava activities.csv. */
export function parseStravaActivitiesCsv(text: string): StravaCsv {
  const records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  const [header, ...rows] = records;
  if (!header) throw new Error('activities.csv is empty');
  const columns = columnsOf(header, rows);
  if (!columns) throw new Error(`activities.csv: no Strava activity columns in its header (${header.slice(0, 5).join(', ')}, …)`);
  const byFile = new Map<string, StravaActivity>();
  let withoutFile = 0;
  for (const row of rows) {
    const cell = (column: Column) => {
      const value = row[columns[column]]?.trim();
      return value === undefined || value === '' ? undefined : value;
    };
    const file = cell('file');
    if (!file) {
      withoutFile++;
      continue;
    }
    const type = cell('type');
    const activityType = stravaActivityType(type);
    const start = stravaDate(cell('date'));
    const name = cell('name');
    byFile.set(exportPath(file), {
      id: cell('id') ?? '',
      file: exportPath(file),
      ...(name !== undefined ? { name } : {}),
      ...(type !== undefined ? { type } : {}),
      ...(activityType !== undefined ? { activityType } : {}),
      ...(start !== undefined ? { start } : {}),
    });
  }
  return { byFile, rows: rows.length, withoutFile };
}
