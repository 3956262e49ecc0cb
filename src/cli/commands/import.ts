/**
 * `mmt-sync import PATH`: a Strava or Garmin Connect bulk export (zipped or unpacked), or
 * any folder or archive of activity files. A preview first (read-only), then every
 * activity through the same intake as a watch (journal, dedupe, spool) in the import's
 * own lane, sent by an uploader paced to the server's rate limit (queue/pacer.ts).
 *
 * Resumable: each member is journaled as it is taken in and each upload as it ends, so a
 * second run after Ctrl-C or kill -9 takes in the same members again (those sent are
 * "unchanged", those queued stay queued) and sends only what is left.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defaultCaps, type ArchiveCaps } from '../../archive/index.js';
import { failure, loginRequired, usageError } from '../../errors.js';
import { readExport } from '../../exports/index.js';
import { parseMoment } from '../../intake/backfill.js';
import type { Candidate } from '../../intake/candidate.js';
import { IMPORT_LANE, importCandidates, type ImportListing } from '../../intake/import-list.js';
import { previewImport, type ImportPreview } from '../../intake/import-preview.js';
import { runIntake } from '../../intake/pipeline.js';
import { intakeLimits } from '../../intake/scan.js';
import type { Config } from '../../config/schema.js';
import { acquireInstanceLock } from '../../daemon/instance-lock.js';
import { Journal } from '../../journal/journal.js';
import { Spool } from '../../journal/spool.js';
import { ownerId, ownerIsAlive } from '../../queue/owner.js';
import { Pacer, type PacerOptions } from '../../queue/pacer.js';
import type { UploadEvent } from '../../queue/uploader.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';
import { describePreview, describeResult, type ImportResult } from './import-report.js';

export interface ImportOptions extends GlobalOptions {
  readonly path: string;
  readonly since?: string;
  readonly until?: string;
  readonly dryRun?: boolean;
}

export interface ImportSummary {
  readonly preview: ImportPreview;
  readonly result?: ImportResult;
}

/**
 * Taken in but not yet sent, at most: the spool holds one private copy of each, so an
 * export of 10,000 files never needs 10,000 copies on disk at once. Far more than the
 * pacer sends in the time the intake takes to refill it.
 */
const MAX_QUEUED_AHEAD = 64;
/** Members decompressed and waiting to be judged, at most (each holds its bytes). */
const MAX_MEMBERS_WAITING = 4;
const GATE_POLL_MS = 100;
/** The pace learned from the server's 429s, per API base URL (journal meta). */
const PACE_KEY = 'import_pace';

export async function runImport(options: ImportOptions, io: Io, signal: AbortSignal): Promise<ImportSummary> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  const { config } = loaded;
  const path = resolve(options.path);
  await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw usageError('IMPORT_NOT_FOUND', `${options.path}: ${error.code === 'ENOENT' ? 'no such file or folder' : error.message}`);
  });
  const window = importWindow(options);
  const caps = defaultCaps(intakeLimits(config).maxFileBytes);
  const release = options.dryRun
    ? undefined
    : await acquireInstanceLock(stateDir, 'import', (pid) => usageError('IMPORT_RUNNING', `another mmt-sync import (pid ${pid}) is running for ${stateDir}; wait for it, or stop it (it resumes)`), (error) =>
        io.log.warn(`import lock: ${error.message}`),
      );
  const journal = Journal.open(stateDir);
  try {
    const preview = await previewImport(readExport(path, { caps, signal }), journal, { path, ...(window ? { window } : {}) });
    signal.throwIfAborted();
    // The preview is what a person reads first; --json prints it once, with the result.
    if (!options.json) io.out(describePreview(options.path, preview));
    if (options.dryRun) {
      if (options.json) io.out(JSON.stringify({ preview }, null, 2));
      else io.out('dry run: nothing was recorded or sent');
      return { preview };
    }
    const result = await importAll({ path, window, caps, preview, config, stateDir, journal }, io, options, signal);
    if (options.json) io.out(JSON.stringify({ preview, result }, null, 2));
    else io.out(describeResult(result));
    if (result.loginRequired) throw loginRequired(`import paused, ${result.pending} waiting: run \`mmt-sync login\`, then the same import again`);
    // Members not taken in yet are not in the queue: the preview's count says what is left.
    const left = Math.max(result.pending, preview.toUpload - result.uploaded - result.alreadyThere - result.failed.length);
    if (signal.aborted) throw failure('INTERRUPTED', `import interrupted: ${left} not sent yet; run the same command again to go on`);
    if (result.failed.length || result.pending) throw failure('IMPORT_INCOMPLETE', `${result.failed.length} failed, ${result.pending} still pending; run the same import again to go on`);
    return { preview, result };
  } finally {
    journal.close();
    await release?.();
  }
}

function importWindow(options: ImportOptions): Candidate['window'] | undefined {
  const fromMs = options.since !== undefined ? parseMoment(options.since, '--since') : undefined;
  const untilMs = options.until !== undefined ? parseMoment(options.until, '--until') : undefined;
  if (fromMs !== undefined && untilMs !== undefined && untilMs <= fromMs) throw usageError('BAD_UNTIL', `--until (${options.until}) must come after --since (${options.since})`);
  if (fromMs === undefined && untilMs === undefined) return undefined;
  return { ...(fromMs !== undefined ? { fromMs } : {}), ...(untilMs !== undefined ? { untilMs } : {}) };
}

/** Takes the export in (bounded ahead of the uploads) while the paced uploader sends it. */
async function importAll(run: ImportRun, io: Io, options: ImportOptions, signal: AbortSignal): Promise<ImportResult & { readonly loginRequired: boolean }> {
  const { path, window, caps, preview, config, stateDir, journal } = run;
  const started = Date.now();
  const spool = new Spool(stateDir);
  // A run killed with -9 left its claims: they are queued again.
  journal.releaseOrphanedClaims(ownerIsAlive);
  const failed: Array<{ file: string; reason: string }> = [];
  const progress = options.json || io.progress === 'none' ? undefined : (await import('../progress.js')).uploadProgress(io.progress, preview.toUpload);
  if (progress && !options.verbose) io.log.setLevel('warn');
  const pacer = new Pacer(paceOptions(config, journal));
  const [{ MmtClient }, { openAccount }, { Uploader }] = await Promise.all([import('../../api/client.js'), import('../../auth/account.js'), import('../../queue/uploader.js')]);
  const account = openAccount(config, stateDir, io.log);
  const uploader = new Uploader({
    journal,
    spool,
    client: new MmtClient(config, account.session, io.log),
    config,
    sources: new Map(),
    owner: ownerId(),
    log: io.log,
    lane: IMPORT_LANE,
    pacer,
    onEvent: (event: UploadEvent) => {
      progress?.onEvent(event);
      if (event.type === 'failed') failed.push({ file: event.record.path, reason: event.error });
    },
  });
  const gate = async () => {
    while (!signal.aborted && journal.countQueued(IMPORT_LANE) >= MAX_QUEUED_AHEAD) await new Promise((r) => setTimeout(r, GATE_POLL_MS));
  };
  const listing: ImportListing = { routes: 0 };
  const intake = runIntake(importCandidates(readExport(path, { caps, signal }), journal, { path, ...(window ? { window } : {}), gate }, listing), journal, {
    maxFileBytes: intakeLimits(config).maxFileBytes,
    parallelReads: 1,
    maxWaiting: MAX_MEMBERS_WAITING,
    log: io.log,
    spool,
    signal,
    onEvent: (event) => {
      if (event.type === 'taken' && event.outcome === 'queued') uploader.wake();
    },
  });
  intake.catch(() => {});
  let drained;
  try {
    drained = await uploader.drain({ maxWaitMs: config.retry.onceWaitS * 1000, stop: signal, feeding: intake });
  } finally {
    await intake.catch(() => {});
    progress?.stop();
  }
  const report = await intake;
  for (const problem of report.problems) io.log.warn(`${problem.path}: ${problem.reason}`);
  if (pacer.ceilingPerS !== undefined) journal.setMeta(PACE_KEY, JSON.stringify({ baseUrl: config.api.baseUrl, ceilingPerS: pacer.ceilingPerS }));
  return {
    uploaded: drained.uploaded,
    alreadyThere: drained.existed,
    failed,
    pending: journal.countQueued(IMPORT_LANE),
    rateLimited: pacer.rateLimited,
    seconds: (Date.now() - started) / 1000,
    ...(pacer.ceilingPerS !== undefined ? { ceilingPerMin: pacer.ceilingPerS * 60 } : {}),
    loginRequired: drained.loginRequired,
  };
}

interface ImportRun {
  readonly path: string;
  readonly window: Candidate['window'] | undefined;
  readonly caps: ArchiveCaps;
  readonly preview: ImportPreview;
  readonly config: Config;
  readonly stateDir: string;
  readonly journal: Journal;
}

/**
 * Where the pace starts: the settings, or just under what this server took last time
 * (a second import, or the same one resumed, needs no new 429 to find it).
 */
function paceOptions(config: Config, journal: Journal): PacerOptions {
  const maxPerS = config.import.maxPerMin > 0 ? config.import.maxPerMin / 60 : undefined;
  let learned: number | undefined;
  try {
    const kept = JSON.parse(journal.getMeta(PACE_KEY) ?? 'null') as { baseUrl?: string; ceilingPerS?: number } | null;
    if (kept?.baseUrl === config.api.baseUrl && typeof kept.ceilingPerS === 'number' && kept.ceilingPerS > 0) learned = kept.ceilingPerS;
  } catch {
    // A pace that cannot be read is found again.
  }
  return { startPerS: config.import.startPerMin / 60, ...(maxPerS ? { maxPerS } : {}), ...(learned ? { learnedCeilingPerS: learned } : {}) };
}
