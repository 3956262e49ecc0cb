import { openAccountStore } from '../../auth/account-store.js';
import { activityUrl } from '../../api/activity-url.js';
import { loginRequired, failure, usageError } from '../../errors.js';
import { backfillCutoff, releaseBaseline } from '../../intake/backfill.js';
import { gatherSources } from '../../intake/gather-sources.js';
import { emptyReport, intakeLimits, scanSources, type ScanReport } from '../../intake/scan.js';
import type { Config } from '../../config/schema.js';
import type { Source } from '../../sources/source.js';
import { Journal } from '../../journal/journal.js';
import { Spool } from '../../journal/spool.js';
import { ownerId, ownerIsAlive } from '../../queue/owner.js';
import { NOT_BEFORE_KEY } from '../../queue/not-before.js';
import { dueNow } from '../../queue/send-now.js';
import type { Uploader, UploadEvent } from '../../queue/uploader.js';
import { recordLastSync } from '../../journal/last-sync.js';
import { daemonPresence } from '../../daemon/running.js';
import { displayName } from '../../queue/naming.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { requireFolders } from '../folders.js';
import type { Io } from '../io.js';
import { nothingToScan } from '../../sources/nothing-found.js';
import type { UploadProgress } from '../progress.js';
import { closingAdvice, heldBackLine, type PendingWait } from '../sync-advice.js';
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
  /** `id` is the file id `mmt-sync retry` takes. */
  readonly failed: ReadonlyArray<{ readonly id: number; readonly file: string; readonly reason: string }>;
  readonly pending: number;
  /** What went up in this run (and what the server had already), each with its page on Map My Tracks. */
  readonly uploads: ReadonlyArray<SyncUpload>;
  readonly loginRequired: boolean;
  readonly dryRun?: { readonly wouldUpload: ReadonlyArray<{ file: string; verdict: string; format: string }>; readonly apiCalls: number };
}

export interface SyncUpload {
  readonly id: number;
  readonly file: string;
  readonly name: string;
  readonly activityId: string;
  readonly link: string;
  readonly existed: boolean;
  readonly repaired: boolean;
}

/**
 * Scan everything and upload everything pending, report, exit 0/1/3. Uploads start as
 * soon as the intake queues a file (newest first), while the scan goes on.
 */
export async function runSync(options: SyncOptions, io: Io, signal: AbortSignal): Promise<SyncSummary> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  await requireFolders(options.folder);
  const { config } = loaded;
  const cutoff = backfillCutoff(config.intake.backfill, options.since);
  // No login, no point scanning: say so at once (a dry run sends nothing and needs none).
  if (!options.dryRun) await (await import('../../auth/ready.js')).requireLogin(openAccountStore(config, stateDir));
  const sources = await gatherSources(config, options.folder ?? [], io.log);
  const journal = Journal.open(stateDir);
  const spool = new Spool(stateDir);
  try {
    if (!sources.length && !journal.counts().queued) {
      const line = nothingToScan(config, loaded.file);
      // A watch seen before and unplugged now is the usual state of a timer's run: nothing to do.
      if (journal.knownSources().some((s) => s.id.startsWith('device:'))) {
        io.out(line.replace(/^nothing to sync: no watch connected/, 'nothing to sync now: no watch connected'));
        return emptySummary();
      }
      throw usageError('NOTHING_TO_SYNC', line);
    }
    journal.releaseOrphanedClaims(ownerIsAlive);
    if (options.since) releaseBaseline(journal, cutoff);
    // Running `sync` asks for now: a backoff an earlier run left is not waited out (Retry-After still is).
    if (!options.dryRun) dueNow(journal);
    const intakeOptions = { ...intakeLimits(config), backfillCutoffMs: cutoff, log: io.log, spool, signal };
    if (options.dryRun) return await dryRun(await scanned(scanSources(sources, journal, intakeOptions), io), journal, config, stateDir, options, io);

    const failed: Array<{ id: number; file: string; reason: string }> = [];
    const uploads: SyncUpload[] = [];
    let lastWait: PendingWait | undefined;
    let repaired = 0;
    let retries = 0;
    const link = (activityId: string) => activityUrl(config.api.activityUrl, activityId);
    const progress = await showProgress(journal, options, io, link);
    let uploader: Uploader | undefined;
    // The intake starts now; what sending needs loads meanwhile (nothing is due before the settle window ends).
    const intake = scanned(
      scanSources(sources, journal, {
        ...intakeOptions,
        onEvent: (event) => {
          progress?.onIntake(event);
          if (event.type === 'taken' && event.outcome === 'queued') uploader?.wake();
        },
      }),
      io,
    );
    intake.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile
    let result;
    try {
      const [{ MmtClient }, { openAccount }, { Uploader: UploaderClass }] = await Promise.all([
        import('../../api/client.js'),
        import('../../auth/account.js'),
        import('../../queue/uploader.js'),
      ]);
      const account = openAccount(config, stateDir, io.log);
      uploader = new UploaderClass({
        journal,
        spool,
        client: new MmtClient(config, account.session, io.log),
        config,
        sources: new Map(sources.map((s) => [s.id, s])),
        owner: ownerId(),
        log: io.log,
        onEvent: (event: UploadEvent) => {
          progress?.onEvent(event);
          if (event.type === 'uploaded') {
            const isRepair = event.record.verdict === 'repair';
            if (isRepair) repaired++;
            uploads.push({ id: event.record.id, file: event.record.path, name: displayName(event.record, config), activityId: event.remoteId, link: link(event.remoteId), existed: event.existed, repaired: isRepair });
          }
          if (event.type === 'retry') retries++;
          if (event.type === 'waiting') lastWait = { until: event.nextTryAt, why: event.reason === 'rate-limited' ? 'rate limited' : (event.why ?? 'the server failed') };
          if (event.type === 'failed') failed.push({ id: event.record.id, file: event.record.path, reason: event.error });
        },
      });
      result = await uploader.drain({ maxWaitMs: config.retry.onceWaitS * 1000, stop: signal, feeding: intake });
    } finally {
      // Never leave the intake writing to a journal about to be closed.
      await intake.catch(() => {});
    }
    const scan = await intake;
    progress?.stop();
    const pending = leftBehind(journal, result.loginRequired || signal.aborted) + requestedElsewhere(journal, sources);
    const summary: SyncSummary = {
      scan,
      uploaded: result.uploaded,
      alreadyThere: result.existed,
      repaired,
      retries,
      failed,
      pending,
      uploads,
      loginRequired: result.loginRequired,
    };
    recordLastSync(journal, { uploaded: result.uploaded, alreadyThere: result.existed, failed: failed.length, pending, by: 'sync' });
    printSummary(summary, options, io, cutoff);
    if (config.notify) await (await import('../../notify/notify.js')).notifySyncResult(config, summary, { log: io.log });
    if (result.loginRequired) throw loginRequired(`uploads paused, ${pending} waiting: run \`mmt-sync login\``);
    if (failed.length || pending) {
      const wait = lastWait && lastWait.until > Date.now() ? lastWait : undefined;
      throw failure('SYNC_INCOMPLETE', closingAdvice({ failed, pending, ...(wait ? { wait } : {}), daemonRunning: daemonPresence(stateDir).running }));
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

/**
 * What this run leaves queued. A drain that ran to its end took everything due, so a file
 * due now in the queue was put there by another run still feeding it (a timer run and a
 * plug-in run at once), which sends it; only what waits on backoff is left by this one.
 * Stopped early (interrupted, login required), everything queued is left.
 */
function leftBehind(journal: Journal, stoppedEarly: boolean): number {
  const notBefore = Number(journal.getMeta(NOT_BEFORE_KEY) ?? 0);
  return stoppedEarly || notBefore > Date.now() ? journal.counts().queued : journal.countQueuedNotDueBy(Date.now());
}

/** Files asked for (--since, forget) in sources this run did not see: still pending, read when their device is back. */
function requestedElsewhere(journal: Journal, sources: readonly Source[]): number {
  const seen = new Set(sources.map((s) => s.id));
  let count = 0;
  for (const [sourceId, n] of journal.unreadCounts().requestedBySource) if (!seen.has(sourceId)) count += n;
  return count;
}

function emptySummary(): SyncSummary {
  return { scan: emptyReport(), uploaded: 0, alreadyThere: 0, repaired: 0, retries: 0, failed: [], pending: 0, uploads: [], loginRequired: false };
}

/** The progress display (io.progress says which); its total grows as the scanner counts ahead. */
async function showProgress(journal: Journal, options: SyncOptions, io: Io, linkFor: (activityId: string) => string): Promise<UploadProgress | undefined> {
  if (options.json || io.progress === 'none') return undefined;
  const progress = (await import('../progress.js')).uploadProgress(io.progress, journal.counts().queued, { linkFor });
  // The progress display tells the story on a terminal; log lines would tear a bar or repeat the lines (-v brings them back).
  if (progress && !options.verbose) io.log.setLevel('warn');
  return progress;
}

/** The scan's own lines once it is done: counts, then one line per problem. */
async function scanned(scan: Promise<ScanReport>, io: Io): Promise<ScanReport> {
  const report = await scan;
  io.log.info(`scan: ${describeScan(report)}`);
  for (const problem of report.problems) io.log.warn(`${problem.path}: ${problem.reason}`);
  return report;
}

/** `--dry-run`: what the scan queued, and the API calls sending it would take; nothing is sent. */
async function dryRun(scan: ScanReport, journal: Journal, config: Config, stateDir: string, options: SyncOptions, io: Io): Promise<SyncSummary> {
  const queued = journal.list({ states: ['queued'] });
  const account = openAccountStore(config, stateDir);
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
    uploads: [],
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

/** On a terminal the summary names this many uploads; piped, every one (a script reads them all). */
const UPLOADS_SHOWN_ON_A_TERMINAL = 20;

function printSummary(summary: SyncSummary, options: SyncOptions, io: Io, cutoff: number | undefined): void {
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
  for (const f of summary.failed) lines.push(`  ✗ #${f.id} ${f.file}: ${f.reason}`);
  if (summary.scan.baseline) lines.push(`  ${heldBackLine(summary.scan.baseline, cutoff)}`);
  const shown = io.isTTY ? summary.uploads.slice(0, UPLOADS_SHOWN_ON_A_TERMINAL) : summary.uploads;
  if (shown.length) {
    lines.push('', summary.uploads.some((u) => !u.existed) ? 'on Map My Tracks now:' : 'already on Map My Tracks:');
    const width = Math.max(...shown.map((u) => u.name.length));
    for (const u of shown) lines.push(`  ${u.name.padEnd(width)}  ${u.link}${u.existed ? '  (already there)' : ''}`);
    if (summary.uploads.length > shown.length) lines.push(`  … and ${summary.uploads.length - shown.length} more: \`mmt-sync list\``);
  }
  io.out(`sync summary\n${lines.join('\n')}`);
}
