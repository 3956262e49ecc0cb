import { MmtClient } from '../../api/client.js';
import { openAccount } from '../../auth/account.js';
import { loginRequired, failure } from '../../errors.js';
import { backfillCutoff } from '../../intake/backfill.js';
import { gatherSources } from '../../intake/gather-sources.js';
import { intakeLimits, scanSources, type ScanReport } from '../../intake/scan.js';
import { Journal } from '../../journal/journal.js';
import { Spool } from '../../journal/spool.js';
import { ownerId, ownerIsAlive } from '../../queue/owner.js';
import { Uploader, type UploadEvent } from '../../queue/uploader.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { requireFolders } from '../folders.js';
import type { Io } from '../io.js';
import { uploadProgress } from '../progress.js';
import { notifySyncResult } from '../../notify/notify.js';
import { describeScan } from './scan.js';

export interface SyncOptions extends GlobalOptions {
  readonly folder?: readonly string[];
  readonly since?: string;
  readonly dryRun?: boolean;
}

export interface SyncSummary {
  readonly scan: ScanReport;
  readonly uploaded: number;
  readonly alreadyThere: number;
  readonly repaired: number;
  /** Attempts that failed and were retried (server errors, timeouts, 429s). */
  readonly retries: number;
  readonly failed: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
  readonly pending: number;
  readonly loginRequired: boolean;
  readonly dryRun?: { readonly wouldUpload: ReadonlyArray<{ file: string; verdict: string; format: string }>; readonly apiCalls: number };
}

/** Scan everything, upload everything pending, report, exit 0/1/3. */
export async function runSync(options: SyncOptions, io: Io, signal: AbortSignal): Promise<SyncSummary> {
  const { loaded, stateDir } = commandContext(options, io.log);
  await requireFolders(options.folder);
  const { config } = loaded;
  const cutoff = backfillCutoff(config.intake.backfill, options.since);
  const sources = await gatherSources(config, options.folder ?? [], io.log);
  const journal = Journal.open(stateDir);
  const spool = new Spool(stateDir);
  try {
    journal.releaseOrphanedClaims(ownerIsAlive);
    if (options.since) journal.releaseBaseline(cutoff ?? 0);
    const scan = await scanSources(sources, journal, {
      ...intakeLimits(config),
      backfillCutoffMs: cutoff,
      log: io.log,
      spool,
      signal,
    });
    io.log.info(`scan: ${describeScan(scan)}`);
    for (const problem of scan.problems) io.log.warn(`${problem.path}: ${problem.reason}`);

    const queued = journal.list({ states: ['queued'] });
    if (options.dryRun) {
      const account = openAccount(config, stateDir, io.log);
      const tokens = await account.store.read().catch(() => undefined);
      const refresh = tokens && tokens.expiresAt - config.auth.refreshMarginS * 1000 < Date.now() ? 1 : 0;
      const summary: SyncSummary = {
        scan,
        uploaded: 0,
        alreadyThere: 0,
        repaired: 0,
        retries: 0,
        failed: [],
        pending: queued.length,
        loginRequired: !tokens || Boolean(tokens.loginRequired),
        dryRun: {
          wouldUpload: queued.map((r) => ({ file: r.path, verdict: r.verdict ?? 'upload', format: r.uploadFormat ?? r.format ?? '?' })),
          apiCalls: queued.length + refresh,
        },
      };
      if (options.json) io.out(JSON.stringify(summary, null, 2));
      else {
        for (const item of summary.dryRun!.wouldUpload) io.out(`would upload ${item.file}${item.verdict === 'repair' ? ` (repaired, as ${item.format.toUpperCase()})` : ''}`);
        io.out(`${queued.length} file${queued.length === 1 ? '' : 's'} would be uploaded with ${summary.dryRun!.apiCalls} API call${summary.dryRun!.apiCalls === 1 ? '' : 's'}; nothing was sent`);
      }
      return summary;
    }

    const account = openAccount(config, stateDir, io.log);
    const client = new MmtClient(config, account.session, io.log);
    const failed: Array<{ file: string; reason: string }> = [];
    let repaired = 0;
    let retries = 0;
    const progress = !options.json && queued.length > 0 ? uploadProgress(io.progress, queued.length) : undefined;
    // The progress display tells the story on a terminal; log lines would tear a bar or repeat the lines (-v brings them back).
    if (progress && !options.verbose) io.log.setLevel('warn');
    const onEvent = (event: UploadEvent) => {
      progress?.onEvent(event);
      if (event.type === 'uploaded' && event.record.verdict === 'repair') repaired++;
      if (event.type === 'retry') retries++;
      if (event.type === 'failed') failed.push({ file: event.record.path, reason: event.error });
    };
    const uploader = new Uploader({
      journal,
      spool,
      client,
      config,
      sources: new Map(sources.map((s) => [s.id, s])),
      owner: ownerId(),
      log: io.log,
      onEvent,
    });
    const result = await uploader.drain({ maxWaitMs: config.retry.onceWaitS * 1000, stop: signal });
    progress?.stop();
    const pending = journal.counts().queued;
    const summary: SyncSummary = {
      scan,
      uploaded: result.uploaded,
      alreadyThere: result.existed,
      repaired,
      retries,
      failed,
      pending,
      loginRequired: result.loginRequired,
    };
    journal.setMeta('last_sync', JSON.stringify({ at: new Date().toISOString(), uploaded: result.uploaded, alreadyThere: result.existed, failed: failed.length, pending }));
    printSummary(summary, options, io);
    await notifySyncResult(config, summary, { log: io.log });
    if (result.loginRequired) throw loginRequired(`uploads paused, ${pending} waiting: run \`mmt-sync login\``);
    if (failed.length || pending) {
      throw failure('SYNC_INCOMPLETE', `${failed.length} failed, ${pending} still pending (they keep their place; run again or let the daemon retry)`);
    }
    if (scan.unreadable) {
      // Not lost (the files stay on the device and are seen again), but this run did not get them.
      throw failure('SOURCE_UNREADABLE', `${scan.unreadable} file${scan.unreadable === 1 ? '' : 's'} could not be read (device unplugged?); they are taken in when seen again`);
    }
    return summary;
  } finally {
    journal.close();
  }
}

function printSummary(summary: SyncSummary, options: SyncOptions, io: Io): void {
  if (options.json) {
    io.out(JSON.stringify(summary, null, 2));
    return;
  }
  const rows: Array<[string, number]> = [
    ['uploaded', summary.uploaded],
    ['already there', summary.alreadyThere],
    ['repaired (uploaded)', summary.repaired],
    ['skipped (not activities)', summary.scan.skipped],
    ['duplicates', summary.scan.duplicates],
    ['baseline (older)', summary.scan.baseline],
    ['retried attempts', summary.retries],
    ['not readable now', summary.scan.unreadable],
    ['failed', summary.failed.length],
    ['still pending', summary.pending],
  ];
  const lines = rows.map(([label, n]) => `  ${label.padEnd(26)}${String(n).padStart(6)}`);
  for (const f of summary.failed) lines.push(`  ✗ ${f.file}: ${f.reason}`);
  io.out(`sync summary\n${lines.join('\n')}`);
}
