import { activityUrl } from '../../api/activity-url.js';
import { daemonPresence } from '../../daemon/running.js';
import { usageError } from '../../errors.js';
import { backfillCutoff } from '../../intake/backfill.js';
import { Journal } from '../../journal/journal.js';
import type { FileRecord } from '../../journal/rows.js';
import { nextTryAt, standingOf, type Standing } from '../../journal/standing.js';
import type { FileState } from '../../journal/states.js';
import { ACTIVITY_STATES } from '../../journal/views.js';
import { clock, distance, duration, localDateTime, relative } from '../../present/present.js';
import { NOT_BEFORE_KEY } from '../../queue/not-before.js';
import { displayName, uploadType } from '../../queue/naming.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface ListOptions extends GlobalOptions {
  /** Every file the journal knows, also those that are not activities (skipped, duplicates, older ones held back). */
  readonly all?: boolean;
  readonly failed?: boolean;
  readonly waiting?: boolean;
  /** Only activities from this date (YYYY-MM-DD) or this long ago (14d) on. */
  readonly since?: string;
}

/** One file as `list` shows it; `id` is what `retry` and `forget` take. */
export interface ListedFile {
  readonly id: number;
  /** When the activity happened (ISO): its start, else the time in its name or its mtime. */
  readonly when: string | null;
  readonly sport: string | null;
  readonly distanceM: number | null;
  readonly durationS: number | null;
  /** The title it has (or will have) on Map My Tracks. */
  readonly name: string;
  readonly file: string;
  readonly state: Standing;
  /** Its page on Map My Tracks (api.activityUrl), once uploaded. */
  readonly link?: string;
  readonly activityId?: string;
  /** Why it waits, failed, was skipped or repaired. */
  readonly reason?: string;
  /** Waiting: the next try (ISO); absent when it goes with the next sync. */
  readonly nextTryAt?: string;
}

export interface ListResult {
  /** How many files match, of which `files` are the newest. */
  readonly total: number;
  readonly files: ListedFile[];
}

/** Without --all, --since or a state filter: the newest few, which is what "did it go up?" wants. */
const DEFAULT_LIMIT = 20;

function statesFor(options: ListOptions): readonly FileState[] {
  const chosen = [options.all, options.failed, options.waiting].filter(Boolean).length;
  if (chosen > 1) throw usageError('USAGE', 'list: choose one of --all, --failed and --waiting');
  if (options.failed) return ['failed'];
  if (options.waiting) return ['queued', 'uploading', 'discovered'];
  if (options.all) return ['uploaded', 'uploading', 'queued', 'failed', 'skipped', 'duplicate', 'baseline', 'discovered', 'settled', 'classified'];
  return ACTIVITY_STATES;
}

function reasonOf(record: FileRecord, state: Standing): string | undefined {
  switch (state) {
    case 'waiting':
      return record.lastError ?? (record.attempts ? undefined : 'new, not tried yet');
    case 'failed':
      return record.lastError ?? record.reason ?? 'failed';
    case 'repaired':
    case 'skipped':
      return record.reason ?? undefined;
    case 'duplicate':
      return record.duplicateOf !== null ? `the same activity as #${record.duplicateOf}` : undefined;
    case 'baseline':
      return 'older than the backfill window, held back';
    case 'to-read':
      return 'asked for; read when its watch or folder is next seen';
    default:
      return undefined;
  }
}

/** What went up, newest first, with links; what waits and why; what failed and the id to retry. */
export async function runList(options: ListOptions, io: Io): Promise<ListResult> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  const { config } = loaded;
  const states = statesFor(options);
  const sinceMs = options.since ? (backfillCutoff('all', options.since) ?? undefined) : undefined;
  const limit = options.all || options.failed || options.waiting || options.since ? undefined : DEFAULT_LIMIT;
  const journal = Journal.openReadOnly(stateDir);
  const found = journal
    ? (() => {
        try {
          return { ...journal.views.files({ states, ...(sinceMs !== undefined ? { sinceMs } : {}), ...(limit ? { limit } : {}) }), notBefore: Number(journal.getMeta(NOT_BEFORE_KEY) ?? 0), held: journal.counts().baseline };
        } finally {
          journal.close();
        }
      })()
    : { total: 0, rows: [], notBefore: 0, held: 0 };
  const now = Date.now();
  const files = found.rows.map((record): ListedFile => {
    const state = standingOf(record);
    const reason = reasonOf(record, state);
    const next = state === 'waiting' ? nextTryAt(record, found.notBefore) : 0;
    const when = record.activityAt ?? (record.start ? Date.parse(record.start) : record.mtimeMs);
    return {
      id: record.id,
      when: Number.isFinite(when) ? new Date(when).toISOString() : null,
      sport: uploadType(record, config) ?? record.sport,
      distanceM: record.distanceM,
      durationS: record.durationS,
      name: displayName(record, config),
      file: record.path,
      state,
      ...(record.state === 'uploaded' && record.remoteId ? { link: activityUrl(config.api.activityUrl, record.remoteId), activityId: record.remoteId } : {}),
      ...(reason ? { reason } : {}),
      ...(next > now ? { nextTryAt: new Date(next).toISOString() } : {}),
    };
  });
  const result: ListResult = { total: found.total, files };
  if (options.json) io.out(JSON.stringify(result, null, 2));
  else io.out(describe(result, { limited: limit !== undefined, held: found.held, filtered: states !== ACTIVITY_STATES || sinceMs !== undefined, daemon: daemonPresence(stateDir, now).running, now }));
  return result;
}

function stateText(file: ListedFile, daemon: boolean, now: number): string {
  const label = file.state.replace('-', ' ');
  switch (file.state) {
    case 'uploaded':
    case 'repaired':
    case 'already-there':
      return `${label}  ${file.link ?? ''}`.trimEnd();
    case 'waiting': {
      const next = file.nextTryAt
        ? `next try ${clock(Date.parse(file.nextTryAt))} (${relative(Date.parse(file.nextTryAt), now)})`
        : daemon
          ? 'next try now, by the running daemon'
          : 'goes with the next `mmt-sync sync`';
      return `waiting${file.reason ? `: ${file.reason}` : ''} — ${next}`;
    }
    case 'failed':
      return `failed: ${file.reason ?? 'unknown'} — \`mmt-sync retry ${file.id}\``;
    default:
      return file.reason ? `${label}: ${file.reason}` : label;
  }
}

function describe(result: ListResult, context: { limited: boolean; held: number; filtered: boolean; daemon: boolean; now: number }): string {
  const { files } = result;
  if (!files.length) {
    return context.filtered ? 'nothing matches' : 'nothing uploaded yet: plug in your watch, or run `mmt-sync sync`';
  }
  const columns = files.map((f) => [
    `#${f.id}`,
    f.when ? localDateTime(Date.parse(f.when)) : '—',
    f.sport ?? '—',
    distance(f.distanceM, 'km'),
    duration(f.durationS),
    f.name,
  ]);
  const widths = columns[0]!.map((_, i) => Math.max(...columns.map((row) => row[i]!.length)));
  const rightAligned = new Set([0, 3, 4]);
  const lines = columns.map((row, n) => {
    const cells = row.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)));
    return `${cells.join('  ')}  ${stateText(files[n]!, context.daemon, context.now)}`;
  });
  if (context.limited && result.total > files.length) {
    lines.push(`the newest ${files.length} of ${result.total}: \`mmt-sync list --since YYYY-MM-DD\` for a range, \`--all\` for every file`);
  }
  if (!context.filtered && context.held) {
    lines.push(`${context.held} older file${context.held === 1 ? ' was' : 's were'} held back (older than the backfill window): \`mmt-sync sync --since YYYY-MM-DD\` sends them`);
  }
  return lines.join('\n');
}
