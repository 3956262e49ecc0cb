/**
 * Which export a set of entry names is, and what in it is an activity.
 * - Strava bulk export: `activities.csv` with `activities/` beside it (maybe one folder down,
 *   as in an unpacked `export_<id>/`); `routes/` holds planned routes, not activities
 *   (NathanBaulch/rainbow-roads #5; drewrelmas/runv data/README.md).
 * - Garmin Connect bulk export: the activities are in zips inside the zip,
 *   `DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip` (older exports:
 *   `DI-Connect-Fitness-Uploaded-Files`, `DI-Connect-Fitness`); everything else there is
 *   account data (pe-st/garmin-connect-export #7; Runalyze docs import/devices/garmin.rst).
 * - Anything else (Garmin's "export original" zip of `<id>_ACTIVITY.fit`, a folder of
 *   files) is plain: every activity file, gzipped or not, and every zip in it.
 */
import { isActivityName, isZipName } from '../archive/index.js';

export type ExportLayout =
  | { readonly kind: 'strava'; /** '' or the folder holding activities.csv, with its `/`. */ readonly root: string }
  | { readonly kind: 'garmin-connect'; /** The UploadedFiles zips. */ readonly parts: readonly string[] }
  | { readonly kind: 'plain' };

const GARMIN_PART = /(^|\/)DI_CONNECT\/[^/]+\/UploadedFiles[^/]*\.zip$/i;

export function recognizeExport(names: readonly string[]): ExportLayout {
  for (const name of names) {
    const csv = /^((?:[^/]+\/)?)activities\.csv$/i.exec(name);
    if (!csv) continue;
    const root = csv[1]!;
    if (names.some((n) => n.toLowerCase().startsWith(`${root}activities/`.toLowerCase()))) return { kind: 'strava', root };
  }
  const parts = names.filter((n) => GARMIN_PART.test(n));
  if (parts.length > 0) return { kind: 'garmin-connect', parts };
  return { kind: 'plain' };
}

export type Role = 'activity' | 'archive' | 'route' | 'other';

/** What an entry (a name at the top level of the export) is in this layout. */
export function roleOf(layout: ExportLayout, name: string): Role {
  const lower = name.toLowerCase();
  switch (layout.kind) {
    case 'strava': {
      const root = layout.root.toLowerCase();
      if (lower.startsWith(`${root}routes/`) && !lower.endsWith('/')) return 'route';
      return lower.startsWith(`${root}activities/`) && isActivityName(name) ? 'activity' : 'other';
    }
    case 'garmin-connect':
      if (layout.parts.includes(name)) return 'archive';
      return 'other';
    case 'plain':
      return isActivityName(name) ? 'activity' : isZipName(name) ? 'archive' : 'other';
  }
}
