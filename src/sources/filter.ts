/**
 * Which paths of a source are candidates: by extension, then by the source's include and
 * exclude globs. Paths are relative to the source root with `/` separators.
 *
 * Glob rules (gitignore-like, so a user's first guess works):
 * - a pattern without `/` matches a name at any depth: `*.tmp.fit`, `archive`;
 * - a pattern with `/` is anchored at the root: `2024/*.fit`, `archive/**`;
 * - matching ignores case (FAT volumes shout: `2024-05-01.FIT`);
 * - an excluded directory is not descended into; include never prunes directories.
 * Names starting with `.` are never candidates (e.g. the `._x.fit` AppleDouble files
 * macOS leaves on FAT volumes); the walk skips them before asking.
 */
import picomatch from 'picomatch';

/** Activity files, gzipped ones (Strava's exports) and zips of them: the intake opens each member. */
export const DEFAULT_EXTENSIONS: readonly string[] = ['.fit', '.gpx', '.tcx', '.fit.gz', '.gpx.gz', '.tcx.gz', '.zip'];

export interface PathFilter {
  /** A file at `relPath` is an activity candidate. */
  wantsFile(relPath: string): boolean;
  /** A directory at `relPath` is to be skipped with everything below it. */
  prunesDir(relPath: string): boolean;
}

function normalizePattern(pattern: string): string {
  let p = pattern.trim().replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  p = p.replace(/^\/+/, '').replace(/\/+$/, '');
  return p.includes('/') ? p : `**/${p}`;
}

function matcher(patterns: readonly string[] | undefined): ((path: string) => boolean) | undefined {
  const normalized = (patterns ?? []).map(normalizePattern).filter((p) => p !== '**/');
  if (normalized.length === 0) return undefined;
  return picomatch(normalized, { nocase: true, dot: true });
}

/**
 * A matcher of file names alone (no directories), case-insensitive, for a source's `never`
 * names; undefined when there are none.
 */
export function nameMatcher(patterns: readonly string[] | undefined): ((name: string) => boolean) | undefined {
  const cleaned = (patterns ?? []).map((p) => p.trim()).filter((p) => p !== '');
  if (cleaned.length === 0) return undefined;
  return picomatch(cleaned, { nocase: true, dot: true });
}

export function normalizeExtensions(extensions: readonly string[]): string[] {
  return extensions.map((ext, i) => {
    if (typeof ext !== 'string' || ext.replace(/^\./, '') === '') {
      throw new TypeError(`Expected extensions[${i}] to be a file extension like ".fit", got ${JSON.stringify(ext)}`);
    }
    return (ext.startsWith('.') ? ext : `.${ext}`).toLowerCase();
  });
}

export function pathFilter(options: {
  readonly extensions: readonly string[];
  readonly include?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
}): PathFilter {
  const extensions = normalizeExtensions(options.extensions);
  const include = matcher(options.include);
  const exclude = matcher(options.exclude);
  const hasExtension = (relPath: string): boolean => {
    const lower = relPath.toLowerCase();
    return extensions.some((ext) => lower.endsWith(ext));
  };
  return {
    wantsFile: (relPath) =>
      hasExtension(relPath) && (include === undefined || include(relPath)) && (exclude === undefined || !exclude(relPath)),
    prunesDir: (relPath) => exclude !== undefined && exclude(relPath),
  };
}
