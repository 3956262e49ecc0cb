/**
 * History a person brings along: Strava and Garmin Connect bulk exports (zipped or
 * unpacked) and any folder or archive of activity files.
 *
 * Owns: recognising an export's layout, Strava's activities.csv (names, types, dates per
 * file), and reading an export into activity members. May import: src/archive, the
 * formats' activity-type mapping, csv-parse. Uploads nothing and journals nothing; the
 * `import` command takes the members through the intake.
 */
export { recognizeExport, roleOf, type ExportLayout } from './layout.js';
export { readExport, type ExportItem, type ExportSummary, type ReadExportOptions } from './read-export.js';
export { exportPath, parseStravaActivitiesCsv, stravaDate, type StravaActivity, type StravaCsv } from './strava-csv.js';
export { stravaActivityType } from './strava-types.js';
