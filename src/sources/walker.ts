/**
 * The walk's inner workings: sorting a directory listing into candidates, and deciding
 * what each candidate is (a file, a refusal, a directory to follow, a problem).
 */
import { lstatSync, type Dirent, type Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { isZipName } from '../archive/names.js';
import { isErrnoException } from '../errors.js';
import { DEFAULT_EXTENSIONS, nameMatcher, pathFilter, type PathFilter } from './filter.js';
import { isInside } from './mounts.js';
import type { Source, SourceQuirks } from './source.js';
import type { WalkEntry, WalkOptions, WalkProblem } from './walk.js';

import { formatBytes } from '../fsutil/format-bytes.js';

export { formatBytes, MB } from '../fsutil/format-bytes.js';

const NOT_REGULAR = 'not a regular file';
const OUTSIDE = 'symlink leads outside the source';

export interface Dir {
  /** The path as the walk reached it (through symlinks, if any). */
  readonly path: string;
  readonly relPath: string;
  /** Its real path, for symlink containment and loop checks. */
  readonly real: string;
  /** Known already when reached through a symlink. */
  readonly stats?: Stats;
}

/** The app is recording in this directory: files modified at or after `fromMs` wait until `untilMs` at least. */
export interface Hold {
  readonly fromMs: number;
  readonly untilMs: number;
}

export type Candidate = { readonly kind: 'file' | 'link' | 'special'; readonly path: string; readonly relPath: string; readonly hold?: Hold };

export interface Outcome {
  readonly entry?: WalkEntry;
  readonly problem?: WalkProblem;
  readonly dir?: Dir;
}

const joinRel = (parent: string, name: string): string => (parent === '' ? name : `${parent}/${name}`);

/** `path.join` for a name from readdir under a normalized absolute path, minus its cost. */
const childPath = (parent: string, name: string): string => (parent.endsWith(sep) ? parent + name : parent + sep + name);

export const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class Walker {
  private readonly filter: PathFilter;
  private readonly refusedTooLarge: string;
  private readonly visited = new Set<string>();
  private readonly never: ((name: string) => boolean) | undefined;
  private readonly recording: SourceQuirks['recording'];
  private readonly placeholders: boolean;
  counts = { files: 0, refused: 0, unreadable: 0, loops: 0, held: 0 };
  /** The earliest time a held file may be listed (a rescan then is worth it); undefined: unknown. */
  heldUntilMs: number | undefined;

  constructor(
    private readonly rootReal: string,
    private readonly options: WalkOptions,
    source: Pick<Source, 'include' | 'exclude' | 'quirks'>,
  ) {
    this.filter = pathFilter({ extensions: options.extensions ?? DEFAULT_EXTENSIONS, include: source.include, exclude: source.exclude });
    this.refusedTooLarge = `file is larger than the ${formatBytes(options.maxFileBytes)} cap`;
    this.never = nameMatcher(source.quirks?.never);
    this.recording = source.quirks?.recording;
    this.placeholders = source.quirks?.placeholders === true;
  }

  /**
   * While the app records here (its marker was modified within `freshS`), files modified
   * within `holdS` wait: one of them is the ride being written.
   */
  private holdIn(dir: Dir, entries: Dirent[]): Hold | undefined {
    const recording = this.recording;
    if (!recording) return undefined;
    const markerName = recording.marker.toLowerCase();
    const marker = entries.find((entry) => entry.isFile() && entry.name.toLowerCase() === markerName);
    if (!marker) return undefined;
    let markerMtimeMs: number;
    try {
      markerMtimeMs = lstatSync(childPath(dir.path, marker.name)).mtimeMs;
    } catch {
      return undefined; // gone already: the ride ended
    }
    const now = this.options.now?.() ?? Date.now();
    const untilMs = markerMtimeMs + recording.freshS * 1000;
    return untilMs > now ? { fromMs: now - recording.holdS * 1000, untilMs } : undefined;
  }

  /** A file that is there but not ready: an empty cloud placeholder, or a ride being recorded. */
  private waits(stats: Stats, hold: Hold | undefined): boolean {
    if (this.placeholders && stats.size === 0) {
      this.counts.held++;
      return true;
    }
    if (hold && stats.mtimeMs >= hold.fromMs) {
      this.counts.held++;
      this.heldUntilMs = Math.min(this.heldUntilMs ?? Infinity, hold.untilMs);
      return true;
    }
    return false;
  }

  problem(kind: WalkProblem['kind'], path: string, relPath: string, message: string, code?: string): WalkProblem {
    const problem: WalkProblem = { kind, path, relPath, message, ...(code !== undefined ? { code } : {}) };
    if (kind === 'loop') this.counts.loops++;
    else this.counts.unreadable++;
    this.options.onProblem?.(problem);
    return problem;
  }

  unreadable(path: string, relPath: string, error: unknown): WalkProblem {
    if (!isErrnoException(error)) throw error;
    return this.problem('unreadable', path, relPath, error.message, error.code);
  }

  /** Marks a directory walked; false when it was already (a loop or an alias). */
  firstVisit(stats: Stats): boolean {
    if (stats.ino === 0) return true; // some FUSE filesystems report no inode numbers
    const key = `${stats.dev}:${stats.ino}`;
    if (this.visited.has(key)) return false;
    this.visited.add(key);
    return true;
  }

  /** Whether the plain walk reaches this real path by itself (no dot names, nothing pruned). */
  private reachable(real: string, isFile: boolean): boolean {
    const parts = relative(this.rootReal, real).split(sep);
    let rel = '';
    for (const [i, part] of parts.entries()) {
      if (part.startsWith('.')) return false;
      rel = joinRel(rel, part);
      if (i < parts.length - 1 || !isFile) {
        if (this.filter.prunesDir(rel)) return false;
      }
    }
    return isFile ? this.filter.wantsFile(rel) : true;
  }

  /** Splits a directory listing into candidates to examine and subdirectories to walk. */
  sort(dir: Dir, entries: Dirent[]): { candidates: Candidate[]; subdirs: Dir[] } {
    const candidates: Candidate[] = [];
    const subdirs: Dir[] = [];
    const hold = this.holdIn(dir, entries);
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith('.')) continue;
      const relPath = joinRel(dir.relPath, name);
      const path = childPath(dir.path, name);
      if (entry.isDirectory()) {
        if (!this.filter.prunesDir(relPath)) subdirs.push({ path, relPath, real: childPath(dir.real, name) });
      } else if (this.never?.(name)) {
        continue;
      } else if (entry.isSymbolicLink()) {
        candidates.push({ kind: 'link', path, relPath, ...(hold ? { hold } : {}) });
      } else if (this.filter.wantsFile(relPath)) {
        candidates.push({ kind: entry.isFile() ? 'file' : 'special', path, relPath, ...(hold ? { hold } : {}) });
      }
    }
    return { candidates, subdirs };
  }

  private fileOutcome(path: string, relPath: string, stats: Stats, hold: Hold | undefined): Outcome {
    if (!stats.isFile()) return { entry: { kind: 'refused', path, relPath, reason: NOT_REGULAR } };
    if (this.waits(stats, hold)) return {};
    // A zip may be larger than any activity: each member is capped when it is read instead.
    if (stats.size > this.options.maxFileBytes && !isZipName(relPath)) return { entry: { kind: 'refused', path, relPath, reason: this.refusedTooLarge } };
    return { entry: { kind: 'file', path, relPath, size: stats.size, mtimeMs: stats.mtimeMs, dev: stats.dev, ino: stats.ino } };
  }

  /** A plain file, stat'ed synchronously (see `walkSource` for when that is allowed). */
  examineFileSync({ path, relPath, hold }: Candidate): Outcome {
    try {
      return this.fileOutcome(path, relPath, lstatSync(path), hold);
    } catch (error) {
      return { problem: this.unreadable(path, relPath, error) };
    }
  }

  async examine(dir: Dir, candidate: Candidate): Promise<Outcome> {
    const { path, relPath } = candidate;
    if (candidate.kind === 'special') return { entry: { kind: 'refused', path, relPath, reason: NOT_REGULAR } };
    try {
      if (candidate.kind === 'file') return this.fileOutcome(path, relPath, await lstat(path), candidate.hold);
      return await this.examineLink(dir, candidate);
    } catch (error) {
      return { problem: this.unreadable(path, relPath, error) };
    }
  }

  private async examineLink(dir: Dir, { path, relPath, hold }: Candidate): Promise<Outcome> {
    const wanted = this.filter.wantsFile(relPath);
    let target: string;
    try {
      target = await realpath(path);
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ELOOP') {
        return { problem: this.problem('loop', path, relPath, 'symlink loop: the link never reaches a file', 'ELOOP') };
      }
      if (isErrnoException(error) && error.code === 'ENOENT') {
        return wanted ? { entry: { kind: 'refused', path, relPath, reason: 'symlink target is missing' } } : {};
      }
      throw error;
    }
    const stats = await stat(target);
    const isDir = stats.isDirectory();
    if (!isInside(target, this.rootReal)) {
      const refuse = isDir ? !this.filter.prunesDir(relPath) : wanted;
      return refuse ? { entry: { kind: 'refused', path, relPath, reason: OUTSIDE } } : {};
    }
    if (isDir) {
      if (this.filter.prunesDir(relPath)) return {};
      if (isInside(dir.real, target)) {
        return { problem: this.problem('loop', path, relPath, `symlink loop: leads back to ${relative(this.rootReal, target) || '.'}`) };
      }
      if (this.reachable(target, false)) return {}; // walked under its own name
      return { dir: { path, relPath, real: target, stats } };
    }
    if (!wanted || (stats.isFile() && this.reachable(target, true))) return {};
    return this.fileOutcome(path, relPath, stats, hold);
  }
}
