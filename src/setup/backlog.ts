import type { Config } from '../config/schema.js';
import { backfillCutoff, releaseBaseline } from '../intake/backfill.js';
import { intakeLimits, scanSources } from '../intake/scan.js';
import type { Journal } from '../journal/journal.js';
import type { Spool } from '../journal/spool.js';
import { silentLogger } from '../log.js';
import { localDateTime } from '../present/present.js';
import type { Source } from '../sources/source.js';

/** Older activities of one source, held back by the backfill rule on its first scan. */
export interface HeldBack {
  readonly label: string;
  readonly count: number;
  /** ISO dates of the oldest and newest of them. */
  readonly oldest: string;
  readonly newest: string;
}

export interface Backlog {
  /** Recent activities the scan queued: the next sync (or the service) sends them. */
  readonly recent: number;
  readonly heldBack: HeldBack[];
}

/**
 * The first scan of every source present, as `sync` would do it but sending nothing: recent
 * activities are queued, older ones held back (a watch's old files by their date alone,
 * without reading them — the cheap way a first plug-in takes), and counted per source.
 */
export async function takeStock(sources: readonly Source[], journal: Journal, spool: Spool, config: Config, signal?: AbortSignal): Promise<Backlog> {
  const report = await scanSources(sources, journal, {
    ...intakeLimits(config),
    backfillCutoffMs: backfillCutoff(config.intake.backfill, undefined),
    log: silentLogger,
    spool,
    ...(signal ? { signal } : {}),
  });
  const labels = new Map(sources.map((s) => [s.id, s.label]));
  const heldBack = journal.views
    .heldBack()
    .filter((h) => labels.has(h.id))
    .map((h) => ({ label: labels.get(h.id)!, count: h.count, oldest: new Date(h.oldest).toISOString(), newest: new Date(h.newest).toISOString() }));
  return { recent: report.queued, heldBack };
}

/** "312 older activities on Forerunner 245 (2019-03-02 to 2026-04-20)". */
export function describeHeldBack(held: HeldBack): string {
  const day = (iso: string) => localDateTime(Date.parse(iso)).slice(0, 10);
  return `${held.count} older ${held.count === 1 ? 'activity' : 'activities'} on ${held.label} (${day(held.oldest)} to ${day(held.newest)})`;
}

/** The answer to "upload them? since when?": those from `since` on join the queue (unread ones are read first). */
export function sendOlder(journal: Journal, since: string): { queued: number; toRead: number } {
  return releaseBaseline(journal, backfillCutoff('all', since));
}
