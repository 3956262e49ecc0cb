import type { FileState } from '../journal/states.js';
import type { SourceQuirks } from '../sources/source.js';
import { readSettled, type ReadOutcome } from './read.js';

/**
 * The stage that turns a candidate into bytes. A plain file is opened once and read in
 * one pass (`readSettled`); an archive member (import) would decompress its entry. Either
 * way the stat before and after must match `expected`, and nothing above `maxBytes` is read.
 */
export interface ByteSource {
  read(expected: { readonly size: number; readonly mtimeMs: number }, maxBytes: number): Promise<ReadOutcome>;
}

export function fileBytes(path: string): ByteSource {
  return { read: (expected, maxBytes) => readSettled(path, expected, maxBytes) };
}

/** What the journal already knows about a candidate's path. */
export interface KnownFile {
  readonly id: number;
  readonly state: FileState;
  /** Journaled from its stat alone: no content of it is known, so nothing of it is kept when it is read. */
  readonly unread: boolean;
}

/** One file the scanner found worth reading, with everything the later stages need. */
export interface Candidate {
  readonly sourceId: string;
  /** Unique within the source: a relative path (`a/b.fit`) or, for a member, `export.zip!/b.fit.gz`. */
  readonly relPath: string;
  /** For people and logs. */
  readonly path: string;
  /** The name the format sniffer sees (its extension is a hint). */
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** When the activity probably happened, before reading: the order reads are made in (newest first). */
  readonly timeHintMs: number;
  /** Not before: held still since it was observed, for the settle window. */
  readonly readyAt: number;
  /** Baseline (not uploaded) if the activity started before this: a first scan's backfill rule, or what `--since` asked for. */
  readonly baselineBefore?: number;
  readonly known?: KnownFile;
  readonly bytes: ByteSource;
  /** How the program that writes here behaves: an app's usual activity, whether it overwrites a file with the next one. */
  readonly quirks?: SourceQuirks;
  /** The type and name the person gave the activity elsewhere (Strava's activities.csv): recorded, and its title. */
  readonly activityType?: string;
  readonly activityName?: string;
  /** Who sends it once queued: 'import' for `mmt-sync import` (paced). @default the ordinary queue */
  readonly lane?: string;
  /**
   * Read at first sight, not after a settle window: the app may overwrite this file with its
   * next activity before one ends (`overwritesInPlace`). Queued at once — its copy spooled —
   * but held back this long, then read again: new content by then is judged on its own.
   */
  readonly settleAgainMs?: number;
  /** The read after `settleAgainMs`: the content taken in at first sight, still there? */
  readonly confirming?: boolean;
  /** Only activities that started in [from, until) are taken in (`import --since/--until`); the rest are left unrecorded. */
  readonly window?: { readonly fromMs?: number; readonly untilMs?: number };
}
