/**
 * Training apps' and desktop sync tools' own folders as sources (Zwift, MyWhoosh,
 * TrainingPeaks Virtual, Onelap, Garmin Express, the Wahoo app's Dropbox folder).
 *
 * Owns: the catalogue of where each app writes per OS and how it behaves (its quirks, as
 * data on the Source), finding those folders on this machine, and what an app's activity
 * is when its file says little. May import: ../source, ../mounts, config types, and the
 * formats' activity-type mapping. Does no reading of activity files.
 */
export { APPS, APP_IDS, type AppId, type AppSpec } from './catalogue.js';
export { detectApps, type DetectAppsOptions } from './detect.js';
export { adoptAppFolders, type Adopted } from './adopt.js';
export { activityForSource, activityTypeFor } from './activity-type.js';
