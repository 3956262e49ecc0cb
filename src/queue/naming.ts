import { basename } from 'node:path';
import { fillNameTemplate } from '../config/name-template.js';
import type { Config } from '../config/schema.js';
import type { FileRecord } from '../journal/rows.js';

/** `{sport} {date}` and friends → the title shown on Map My Tracks. */
export function activityName(template: string, record: FileRecord, activityType: string | undefined): string {
  // The name the person gave it elsewhere (Strava) is theirs: it wins over the template.
  const name = record.activityName ?? fillNameTemplate(template, {
    sport: activityType ?? record.sport ?? 'activity',
    start: record.start ? new Date(record.start) : new Date(record.mtimeMs),
    file: basename(record.path),
    device: [record.device?.manufacturer, record.device?.product].filter(Boolean).join(' '),
  });
  // A repaired upload is not the watch's own file: say so where the user will look.
  return record.verdict === 'repair' ? `${name} (repaired)` : name;
}

/** The activity type it goes up with, as the uploader decides it (a source's own override aside). */
export function uploadType(record: FileRecord, config: Config): string | undefined {
  return record.activityType ?? (record.uploadFormat === 'fit' || record.format === 'fit' ? undefined : config.upload.defaultActivityType);
}

/** The title it has (or will have) on Map My Tracks: the same template the uploader fills in. */
export function displayName(record: FileRecord, config: Config): string {
  return activityName(config.upload.nameTemplate, record, uploadType(record, config));
}
