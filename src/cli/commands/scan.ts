import { backfillCutoff, releaseBaseline } from '../../intake/backfill.js';
import { gatherSources } from '../../intake/gather-sources.js';
import { intakeLimits, scanSources, type ScanReport } from '../../intake/scan.js';
import { Journal } from '../../journal/journal.js';
import { Spool } from '../../journal/spool.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { requireFolders } from '../folders.js';
import type { Io } from '../io.js';

export interface ScanCommandOptions extends GlobalOptions {
  readonly folder?: readonly string[];
  readonly since?: string;
}

export function describeScan(report: ScanReport): string {
  const parts = [
    `${report.files} files`,
    `${report.queued} queued for upload${report.repair ? ` (${report.repair} repaired)` : ''}`,
    `${report.unchanged} unchanged`,
    `${report.skipped} skipped`,
    `${report.duplicates} duplicates`,
    `${report.baseline} baseline`,
  ];
  if (report.refused) parts.push(`${report.refused} refused`);
  if (report.notSettled) parts.push(`${report.notSettled} still being written`);
  if (report.unreadable) parts.push(`${report.unreadable} unreadable`);
  return parts.join(', ');
}

/** sources → intake → formats → journal once, and the counts by verdict. */
export async function runScan(options: ScanCommandOptions, io: Io, signal: AbortSignal): Promise<ScanReport> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  await requireFolders(options.folder);
  const { config } = loaded;
  const cutoff = backfillCutoff(config.intake.backfill, options.since);
  const sources = await gatherSources(config, options.folder ?? [], io.log);
  const journal = Journal.open(stateDir);
  try {
    if (options.since) releaseBaseline(journal, cutoff);
    const report = await scanSources(sources, journal, {
      ...intakeLimits(config),
      backfillCutoffMs: cutoff,
      log: io.log,
      spool: new Spool(stateDir),
      signal,
    });
    for (const problem of report.problems) io.log.warn(`${problem.path}: ${problem.reason}`);
    io.out(options.json ? JSON.stringify({ sources: sources.map((s) => ({ id: s.id, root: s.root })), ...report }, null, 2) : describeScan(report));
    return report;
  } finally {
    journal.close();
  }
}
