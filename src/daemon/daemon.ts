import cron, { type ScheduledTask } from 'node-cron';
import { watch, type FSWatcher } from 'chokidar';
import { existsSync } from 'node:fs';
import { MmtClient } from '../api/client.js';
import { openAccount, type Account } from '../auth/account.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { backfillCutoff } from '../intake/backfill.js';
import { gatherSources } from '../intake/gather-sources.js';
import { intakeLimits, scanSources } from '../intake/scan.js';
import { Journal } from '../journal/journal.js';
import { Spool } from '../journal/spool.js';
import type { Logger } from '../log.js';
import { ownerId, ownerIsAlive } from '../queue/owner.js';
import { Uploader } from '../queue/uploader.js';
import { defaultMediaRoots } from '../sources/index.js';
import type { Source } from '../sources/source.js';
import { acquireDaemonLock } from './instance-lock.js';
import { notifySyncResult } from '../notify/notify.js';
import { FolderPresence } from './folder-presence.js';
import { SourceWatcher } from './source-watcher.js';
import { listenForWakeUps } from './wake.js';
import { recordLastSync } from '../journal/last-sync.js';
import { nothingToWatch } from '../sources/nothing-found.js';
import { notSentLine } from './not-sent.js';

export interface DaemonOptions {
  readonly configFile?: string;
  readonly folders: readonly string[];
  readonly stateDir: string;
  readonly log: Logger;
  /** SIGTERM/SIGINT: stop taking work, finish in-flight uploads within graceMs, exit. */
  readonly stop: AbortSignal;
  readonly graceMs: number;
  /** SIGHUP: reload the configuration. The caller wires the signal to `reload`. */
  readonly onReady?: (daemon: { reload: () => void }) => void;
}

const PAUSED_CHECK_MS = 15_000;
/** After a held source's release time: the walk compares with the clock, so a little after it. */
const RELEASE_MARGIN_MS = 500;
/** A burst of events of a first-sight source (one file written in chunks) is still one scan. */
const FIRST_SIGHT_QUIET_MS = 200;
const STORAGE_RETRY_MS = 60_000;

/**
 * The daemon: one loop owning the watchers, the schedule and the uploader. Watching
 * only says "look at this source"; scanning (settle, classify, journal) does the rest,
 * so a missed or duplicated event costs nothing. Idle means idle: file events, one cron
 * schedule and the uploader's own due-time sleep; polling only for MTP/network sources
 * and one stat a second per configured folder (to notice it gone and back). `retry` and
 * `forget` wake it through a socket in the state directory (wake.ts).
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const { log, stateDir, stop } = options;
  const release = await acquireDaemonLock(stateDir, (error) => log.error(`daemon lock lost: ${error.message}`));
  const journal = Journal.open(stateDir);
  const spool = new Spool(stateDir);
  const first = loadConfig(options.configFile ? { configFile: options.configFile } : {});
  let config: Config = first.config;
  let account: Account = openAccount(config, stateDir, log);
  const abortUploads = new AbortController();
  const uploader = new Uploader({
    journal,
    spool,
    client: new MmtClient(config, account.session, log),
    config,
    sources: new Map(),
    owner: ownerId(),
    log,
    onEvent: (event) => {
      // Said once per pause, with what waits for it (the uploader says it once however many were in flight).
      if (event.type === 'login-required') log.error(`uploads paused: ${event.error} (${journal.counts().queued} waiting, kept in the queue)`);
    },
  });
  const watchers = new Map<string, SourceWatcher>();
  let sources: Source[] = [];
  let tasks: ScheduledTask[] = [];
  let mediaWatcher: FSWatcher | undefined;
  let scanning: Promise<void> = Promise.resolve();
  let dashboard: { close(): Promise<void> } | undefined;

  /**
   * Scans run one after another through the intake pipeline; each file it queues wakes the
   * uploader at once, so uploads start while the scan goes on. Sources that are not there
   * (a configured folder gone) are left out: their absence was said once already.
   */
  const scan = (targets: readonly Source[], settleMs: number, why: string) => {
    scanning = scanning.then(async () => {
      const present = targets.filter((s) => s.kind !== 'folder' || presence.isPresent(s.id));
      if (stop.aborted || !present.length) return;
      try {
        const report = await scanSources(present, journal, {
          ...intakeLimits(config),
          settleMs,
          backfillCutoffMs: backfillCutoff(config.intake.backfill, undefined),
          log,
          spool,
          signal: stop,
          onEvent: (event) => {
            if (event.type !== 'taken') return;
            if (event.outcome === 'queued') uploader.wake();
            // A file that does not go up says why, once, when it is first judged.
            else if (event.outcome === 'skipped' || event.outcome === 'duplicates') log.info(notSentLine(journal, event.sourceId, event.path, event.outcome));
          },
        });
        for (const problem of report.problems) log.warn(`${problem.path}: ${problem.reason}`);
        for (const [id, untilMs] of Object.entries(report.heldUntil)) rescanWhenReleased(id, untilMs);
        if (report.queued) log.info(`${why}: ${report.queued} new file${report.queued > 1 ? 's' : ''} queued`);
        else log.debug(`${why}: nothing new (${report.files} files)`);
      } catch (error) {
        log.error(`${why}: ${(error as Error).message}`);
      }
    });
    return scanning;
  };

  /**
   * A source holding files back (Zwift recording a ride) is scanned again the moment they
   * may be listed: a finished ride goes up within seconds, not at the next scheduled rescan.
   */
  const heldTimers = new Map<string, NodeJS.Timeout>();
  const rescanWhenReleased = (id: string, untilMs: number) => {
    clearTimeout(heldTimers.get(id));
    heldTimers.set(
      id,
      setTimeout(() => {
        heldTimers.delete(id);
        const source = sources.find((s) => s.id === id);
        if (source) void scan([source], intakeLimits(config).settleMs, `${source.label}: held files released`);
      }, Math.max(0, untilMs - Date.now()) + RELEASE_MARGIN_MS),
    );
  };

  const startWatching = (source: Source) => {
    if (watchers.has(source.id)) return;
    // An app that overwrites its file with the next activity (MyWhoosh) is scanned at the
    // first event: the intake copies the new content at first sight and settles it itself.
    const firstSight = source.quirks?.overwritesInPlace === true;
    const quietMs = firstSight ? FIRST_SIGHT_QUIET_MS : intakeLimits(config).settleMs;
    watchers.set(
      source.id,
      new SourceWatcher(source, quietMs, config.devices.pollIntervalS * 1000, (s) => void scan([s], firstSight ? intakeLimits(config).settleMs : 0, `change in ${s.label}`)),
    );
  };
  const stopWatching = async (id: string) => {
    await watchers.get(id)?.close();
    watchers.delete(id);
  };

  /** Configured folders come and go on their own (a card reader, a share): followed by `presence`. */
  const presence = new FolderPresence({
    onPresent: (source, initial) => {
      startWatching(source);
      if (initial) return;
      log.info(`${source.label} is back`);
      void scan([source], intakeLimits(config).settleMs, `back: ${source.label}`);
    },
    onAbsent: (source, initial) => {
      void stopWatching(source.id);
      log.info(initial ? `${source.label} is not there; waiting for it to appear` : `${source.label} is gone; waiting for it to come back`);
    },
  });

  const watchSources = async () => {
    const found = await gatherSources(config, options.folders, log);
    const ids = new Set(found.map((s) => s.id));
    for (const [id, watcher] of watchers) {
      if (ids.has(id)) continue;
      log.info(`source gone: ${watcher.source.label} (its queued files stay queued)`);
      await stopWatching(id);
    }
    presence.track(found.filter((s) => s.kind === 'folder'));
    const added = found.filter((s) => s.kind !== 'folder' && !watchers.has(s.id) && existsSync(s.root));
    for (const source of added) startWatching(source);
    sources = found;
    uploader.setSources(new Map(found.map((s) => [s.id, s])));
    return added;
  };

  /** `retry` or `forget` ran: what they queued goes out now; files they asked to be read are read. */
  const onWake = () => {
    uploader.wake();
    const asked = journal.unreadCounts().requestedBySource;
    const targets = sources.filter((s) => asked.has(s.id));
    if (targets.length) void scan(targets, 0, 'asked for');
  };

  const schedule = () => {
    for (const task of tasks) void task.stop();
    tasks = [
      cron.schedule(config.intake.rescanCron, () => void scan(sources, intakeLimits(config).settleMs, 'scheduled rescan'), { name: 'rescan' }),
      cron.schedule('*/5 * * * *', () => void account.session.refreshIfDue().catch((e: Error) => log.warn(`token refresh: ${e.message}`)), { name: 'token-refresh' }),
    ];
  };

  const watchMedia = async () => {
    await mediaWatcher?.close();
    mediaWatcher = undefined;
    if (!config.devices.autoDetect || options.folders.length) return;
    const roots = (config.devices.mediaRoots.length ? config.devices.mediaRoots : defaultMediaRoots(process.platform, process.env, process.getuid?.()).map((r) => r.dir)).filter((r) => existsSync(r));
    if (!roots.length) return;
    let timer: NodeJS.Timeout | undefined;
    mediaWatcher = watch(roots, { ignoreInitial: true, depth: 2, followSymlinks: false, ignorePermissionErrors: true });
    // A mount appearing or vanishing: look for devices again once the burst settles.
    // A slow mount (udisks creates the folder, then mounts into it) is looked for again later.
    const lookForDevices = async () => {
      const added = await watchSources();
      if (added.length) await scan(added, intakeLimits(config).settleMs, `plugged in: ${added.map((s) => s.label).join(', ')}`);
    };
    const onMountChange = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void lookForDevices();
        timer = setTimeout(() => void lookForDevices(), 5_000);
      }, 1_500);
    };
    mediaWatcher.on('addDir', onMountChange).on('unlinkDir', onMountChange);
  };

  /** Each drain that did something: last sync for `status`, and a notification when asked for. */
  let reported = { uploaded: 0, existed: 0, failed: 0 };
  const failures: Array<{ file: string; reason: string }> = [];
  uploader.onFailure = (file, reason) => failures.push({ file, reason });
  let pausedReported = false;
  /** Runs whenever the uploader has nothing in flight and nothing due: a batch is over. */
  const reportDrain = async (result: { uploaded: number; existed: number; failed: number; loginRequired: boolean }) => {
    const fresh = { uploaded: result.uploaded - reported.uploaded, existed: result.existed - reported.existed, failed: result.failed - reported.failed };
    reported = { uploaded: result.uploaded, existed: result.existed, failed: result.failed };
    const newlyPaused = result.loginRequired && !pausedReported;
    pausedReported = result.loginRequired;
    if (!fresh.uploaded && !fresh.existed && !fresh.failed && !newlyPaused) return;
    const pending = journal.countQueued();
    recordLastSync(journal, { uploaded: fresh.uploaded, alreadyThere: fresh.existed, failed: fresh.failed, pending, by: 'daemon' });
    await notifySyncResult(config, { uploaded: fresh.uploaded, failed: failures.splice(0), loginRequired: result.loginRequired }, { log });
  };

  const reload = () => {
    try {
      config = loadConfig(options.configFile ? { configFile: options.configFile } : {}).config;
      account = openAccount(config, stateDir, log);
      uploader.setClient(new MmtClient(config, account.session, log));
      uploader.setConfig(config);
      log.setLevel(config.log.level);
      schedule();
      void watchMedia();
      void watchSources().then((added) => scan(added, intakeLimits(config).settleMs, 'reload'));
      log.info('configuration reloaded');
    } catch (error) {
      log.error(`reload failed, keeping the previous configuration: ${(error as Error).message}`);
    }
  };

  let wakeUps: { close(): Promise<void> } | undefined;
  try {
    journal.releaseOrphanedClaims(ownerIsAlive);
    const listening = await listenForWakeUps(stateDir, onWake);
    if ('unavailable' in listening) log.warn(`\`retry\` and \`forget\` are picked up at the next rescan, not at once: ${listening.unavailable}`);
    else wakeUps = listening;
    await watchSources();
    schedule();
    await watchMedia();
    if (sources.length) log.info(`watching ${sources.length} source${sources.length === 1 ? '' : 's'}: ${sources.map((s) => s.label).join(', ')}`);
    else log.info(nothingToWatch(config, first.file ?? options.configFile));
    options.onReady?.({ reload });
    dashboard = config.ui.enabled ? await (await import('../ui/daemon-dashboard.js')).serveDashboardForDaemon({ stateDir, config: () => config, log, wake: () => uploader.wake() }) : undefined;
    void scan(sources, intakeLimits(config).settleMs, 'start-up scan');

    const graceTimer = { handle: undefined as NodeJS.Timeout | undefined };
    stop.addEventListener('abort', () => {
      log.info(`stopping: in-flight uploads get ${options.graceMs / 1000} s to finish`);
      graceTimer.handle = setTimeout(() => abortUploads.abort(), options.graceMs);
    }, { once: true });

    while (!stop.aborted) {
      let result;
      try {
        result = await uploader.drain({ maxWaitMs: Infinity, stop, abort: abortUploads.signal, onQuiet: (totals) => void reportDrain(totals).catch((e: Error) => log.warn(`recording the last sync: ${e.message}`)) });
      } catch (error) {
        // A full disk or a read-only state dir: say so, and try again later rather than exit.
        log.error(`${(error as Error).message}; uploads resume in ${STORAGE_RETRY_MS / 1000} s`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, STORAGE_RETRY_MS);
          stop.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
        });
        continue;
      }
      await reportDrain(result);
      if (!result.loginRequired || stop.aborted) continue;
      // Paused for login: check the token store now and then, cheaply, until a login lands.
      while (!stop.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, PAUSED_CHECK_MS);
          stop.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
        });
        const tokens = await account.store.read().catch(() => undefined);
        if (tokens && !tokens.loginRequired) {
          log.info('login found: uploads resume');
          break;
        }
      }
    }
    clearTimeout(graceTimer.handle);
  } finally {
    await dashboard?.close();
    for (const timer of heldTimers.values()) clearTimeout(timer);
    for (const task of tasks) void task.stop();
    presence.close();
    await wakeUps?.close();
    await mediaWatcher?.close();
    for (const watcher of watchers.values()) await watcher.close();
    await scanning.catch(() => {});
    journal.close();
    await release().catch(() => {});
  }
}
