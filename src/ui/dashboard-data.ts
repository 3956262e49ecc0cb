import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { daemonPresence } from '../daemon/running.js';
import { gatherSources } from '../intake/gather-sources.js';
import { Journal } from '../journal/journal.js';
import { LiveBuffer } from '../live/buffer.js';
import { silentLogger } from '../log.js';
import type { Source } from '../sources/source.js';

/**
 * What the pages read, opened only while someone looks: the journal and the live buffer
 * are opened on the first request and closed after a minute without one, so a daemon
 * serving a dashboard nobody has open holds no extra connection and runs no timer.
 */
const IDLE_CLOSE_MS = 60_000;
const SOURCES_TTL_MS = 10_000;

export interface DaemonStatus {
  readonly running: boolean;
  readonly pid?: number;
  /** This dashboard is served by the daemon itself. */
  readonly servingThis: boolean;
}

export class DashboardData {
  private journalHandle: Journal | undefined;
  private liveHandle: LiveBuffer | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private sourcesCache: { at: number; sources: Promise<Source[]> } | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly config: () => Config,
    private readonly servedByDaemon: boolean,
  ) {}

  journal<T>(work: (journal: Journal) => T): T {
    this.journalHandle ??= Journal.open(this.stateDir);
    this.touch();
    return work(this.journalHandle);
  }

  /** A browser has just arrived: open the journal and prepare the first page's queries while its redirect comes back. */
  warm(): void {
    setImmediate(() => {
      try {
        this.journal((j) => {
          j.counts();
          j.views.activities(0, 1);
        });
      } catch {
        // The page request that follows says what is wrong.
      }
    });
  }

  /** The live buffer, when live tracking was ever used here. */
  live<T>(work: (buffer: LiveBuffer | undefined) => T): T {
    this.liveHandle ??= LiveBuffer.openIfExists(this.stateDir);
    this.touch();
    return work(this.liveHandle);
  }

  /** Changes whenever the journal or the live buffer got a commit from anyone. */
  version(): string {
    const journal = this.journal((j) => j.views.dataVersion());
    const live = this.live((b) => b?.dataVersion() ?? (existsSync(join(this.stateDir, 'live.sqlite')) ? 'new' : 'none'));
    return `${journal}:${live}`;
  }

  daemon(): DaemonStatus {
    if (this.servedByDaemon) return { running: true, pid: process.pid, servingThis: true };
    const { running, pid } = daemonPresence(this.stateDir);
    return { running, ...(running && pid ? { pid } : {}), servingThis: false };
  }

  /** The sources a sync would take now: configured folders and the devices mounted. */
  sources(): Promise<Source[]> {
    if (!this.sourcesCache || Date.now() - this.sourcesCache.at > SOURCES_TTL_MS) {
      this.sourcesCache = { at: Date.now(), sources: gatherSources(this.config(), [], silentLogger).catch(() => []) };
    }
    return this.sourcesCache.sources;
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.journalHandle?.close();
    this.liveHandle?.close();
    this.journalHandle = undefined;
    this.liveHandle = undefined;
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(), IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }
}
