import type { Config } from '../config/schema.js';
import type { Journal } from '../journal/journal.js';
import type { Source } from '../sources/source.js';
import { listSources, type ListOptions } from './list.js';
import { runIntake, type IntakeOptions } from './pipeline.js';
import { emptyReport, type ScanReport } from './report.js';

export { emptyReport, type ScanReport } from './report.js';
export type { IntakeEvent } from './pipeline.js';

/** The intake settings in the units the code uses, from one place. */
export function intakeLimits(config: Config): { readonly settleMs: number; readonly maxFileBytes: number; readonly parallelReads: number } {
  return { settleMs: config.intake.settleS * 1000, maxFileBytes: config.intake.maxFileMB * 1024 * 1024, parallelReads: config.intake.parallelReads };
}

export type ScanOptions = ListOptions & IntakeOptions;

/**
 * sources → intake → formats → journal, once, through the intake pipeline (pipeline.ts).
 * Unchanged files (same path, size and mtime) cost one index lookup and are never read.
 * Changed and new files are read only after they have held still for the settle window,
 * and again unchanged after reading; a first plug-in's clearly old files are not read.
 */
export async function scanSources(sources: readonly Source[], journal: Journal, options: ScanOptions): Promise<ScanReport> {
  const report = emptyReport();
  const listedWhole = new Set<string>();
  const readFailed = new Set<string>();
  const onSourceListed: ListOptions['onSourceListed'] = (id, listing) => {
    if (listing.complete) listedWhole.add(id);
    if (listing.heldUntilMs !== undefined) report.heldUntil[id] = listing.heldUntilMs;
    options.onSourceListed?.(id, listing);
  };
  const tempDir = options.tempDir ?? options.spool.scratchDir();
  await runIntake(listSources(sources, journal, { ...options, tempDir, onSourceListed }, report), journal, {
    ...options,
    onEvent: (event) => {
      if (event.type === 'taken' && event.outcome === 'unreadable') readFailed.add(event.sourceId);
      options.onEvent?.(event);
    },
  }, report);
  // Only a scan that saw all of a source ends its first scan: an interrupted one (or one
  // whose device went away mid-read) would otherwise let its remaining old files skip the
  // backfill rule next time.
  if (!options.signal?.aborted) {
    for (const source of sources) if (listedWhole.has(source.id) && !readFailed.has(source.id)) journal.noteSourceScan(source.id, source.label);
  }
  if (report.baseline) {
    options.log.info(
      `${report.baseline} older file${report.baseline > 1 ? 's were' : ' was'} recorded as baseline and not uploaded (backfill window)` +
        `${report.baselineUnread ? `, ${report.baselineUnread} of them judged by date alone without reading` : ''}; ` +
        'to upload them: mmt-sync sync --since YYYY-MM-DD (or --since all)',
    );
  }
  return report;
}
