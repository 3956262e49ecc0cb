import { basename } from 'node:path';
import type { FileRecord } from '../journal/rows.js';

/** `{sport} {date}` and friends → the title shown on Map My Tracks. */
export function activityName(template: string, record: FileRecord, activityType: string | undefined): string {
  const start = record.start ? new Date(record.start) : new Date(record.mtimeMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}`;
  const time = `${pad(start.getHours())}:${pad(start.getMinutes())}`;
  const sport = activityType ?? record.sport ?? 'activity';
  const device = [record.device?.manufacturer, record.device?.product].filter(Boolean).join(' ');
  const values: Record<string, string> = { sport: sport.charAt(0).toUpperCase() + sport.slice(1), date, time, file: basename(record.path), device };
  const name = template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole).replace(/\s+/g, ' ').trim();
  // A repaired upload is not the watch's own file: say so where the user will look.
  return record.verdict === 'repair' ? `${name} (repaired)` : name;
}
