/**
 * Names inside archives: which members are activities, which are archives to open, and
 * how a member is named for people and for the journal (`export.zip!/activities/1.fit.gz`).
 */

const ACTIVITY = /\.(fit|gpx|tcx)$/i;

export const isGzipName = (name: string): boolean => /\.gz$/i.test(name);
export const isZipName = (name: string): boolean => /\.zip$/i.test(name);

/** `123.fit.gz` → `123.fit`: the name the content is classified under. */
export const withoutGz = (name: string): string => name.replace(/\.gz$/i, '');

/** An activity file, plain or gzipped: `.fit`, `.gpx`, `.tcx`, `.fit.gz`, … */
export const isActivityName = (name: string): boolean => ACTIVITY.test(withoutGz(name));

/** A name worth expanding by default: an activity file (maybe gzipped) or a zip to open. */
export const isWantedByDefault = (name: string): boolean => isActivityName(name) || isZipName(name);

/** A file on disk that `expandArchive` opens: a zip, or a gzipped activity. */
export const isArchiveName = (name: string): boolean => isZipName(name) || (isGzipName(name) && isActivityName(name));

/** The separator between an archive and a member inside it. */
export const MEMBER_SEPARATOR = '!/';

export const memberPath = (archive: string, inner: string): string => `${archive}${MEMBER_SEPARATOR}${inner}`;

/** The last path component of a member name (`/`-separated, as zips store them). */
export const baseName = (name: string): string => name.slice(name.lastIndexOf('/') + 1);
