import { resolve } from 'node:path';
import { MmtClient } from '../../api/client.js';
import { openAccount } from '../../auth/account.js';
import { usageError } from '../../errors.js';
import { isMmtActivityType } from '../../formats/activity-types.js';
import { LiveBuffer } from '../../live/buffer.js';
import { parseGpsdAddress } from '../../live/gpsd.js';
import { LiveRun, type LiveOutcome } from '../../live/runner.js';
import { type LiveSourceSpec, describeSource } from '../../live/source.js';
import { formatStatus } from '../../live/status-line.js';
import { liveTitle } from '../../live/title.js';
import { ownerId } from '../../queue/owner.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface LiveOptions extends GlobalOptions {
  /** `host:port`, or true when given bare (localhost:2947). */
  readonly gpsd?: string | true;
  readonly follow?: string;
  readonly type?: string;
  readonly title?: string;
  /** Seconds between batches. @default 10 */
  readonly interval?: number;
  /** Seconds without growth before a followed file counts as finished. @default 120 */
  readonly idleStop?: number;
  readonly status?: 'public' | 'private';
}

export type LiveResult = Omit<LiveOutcome, 'problem'> & { readonly source: string | null };

/** After Ctrl-C / SIGTERM, the rest may take this long to go up (a second Ctrl-C quits at once). */
const GRACE_MS = 20_000;
/** A live track should catch up within a minute of the network coming back, whatever retry.maxDelayS says. */
const LIVE_MAX_DELAY_MS = 60_000;

function sourceFrom(options: LiveOptions): LiveSourceSpec | undefined {
  if (options.gpsd !== undefined && options.follow !== undefined) {
    throw usageError('LIVE_SOURCES', 'live: give one source, --gpsd or --follow, not both');
  }
  if (options.follow !== undefined) return { kind: 'file', path: resolve(options.follow) };
  if (options.gpsd === undefined) return undefined;
  try {
    return { kind: 'gpsd', ...parseGpsdAddress(options.gpsd) };
  } catch (error) {
    throw usageError('LIVE_GPSD', `--gpsd: ${(error as Error).message}`);
  }
}

/** `mmt-sync live`: stream a track as a live activity; without a source, finish what an earlier run left. */
export async function runLive(options: LiveOptions, io: Io, signal: AbortSignal): Promise<LiveResult> {
  const source = sourceFrom(options);
  if (options.type !== undefined && !isMmtActivityType(options.type)) {
    throw usageError('LIVE_TYPE', `--type: expected a Map My Tracks activity type (e.g. running, cycling, "mountain biking"), got "${options.type}"`);
  }
  const { loaded, stateDir } = await commandContext(options, io.log);
  const { config } = loaded;
  const account = openAccount(config, stateDir, io.log);
  const buffer = LiveBuffer.open(stateDir);
  let timer: NodeJS.Timeout | undefined;
  try {
    if (!source && buffer.openSessions(account.name).length === 0) {
      throw usageError('LIVE_NO_SOURCE', 'live: give a source: --gpsd [HOST:PORT] or --follow FILE');
    }
    const sport = options.type ?? config.upload.defaultActivityType;
    const run = new LiveRun({
      account: account.name,
      owner: ownerId(),
      ...(source ? { source } : {}),
      activity: {
        title: options.title ?? liveTitle(config.upload.nameTemplate, sport, source),
        activityType: sport,
        status: options.status ?? config.upload.status,
      },
      intervalMs: (options.interval ?? 10) * 1000,
      idleStopMs: (options.idleStop ?? 120) * 1000,
      graceMs: GRACE_MS,
      retry: { baseDelayMs: config.retry.baseDelayS * 1000, maxDelayMs: Math.min(config.retry.maxDelayS * 1000, LIVE_MAX_DELAY_MS) },
      buffer,
      api: new MmtClient(config, account.session, io.log),
      log: io.log,
      signal,
    });
    if (source) io.log.info(`live from ${describeSource(source)}, a batch every ${options.interval ?? 10} s`);
    if (io.progress === 'bar' && !options.json) {
      // One line on stderr, redrawn in place; the cursor stays at its start so a log line overwrites it.
      const draw = () => process.stderr.write(`\r\x1b[K${formatStatus(run.status())}\r`);
      timer = setInterval(draw, 1000);
      draw();
    } else if (io.progress === 'lines' && !options.json) {
      // No cursor control (TERM=dumb, NO_COLOR): the same status as a plain line once a batch.
      timer = setInterval(() => process.stderr.write(`${formatStatus(run.status())}\n`), (options.interval ?? 10) * 1000);
    }
    const outcome = await run.run();
    if (timer && io.progress === 'bar') process.stderr.write('\r\x1b[K');
    const { problem, ...rest } = outcome;
    const result: LiveResult = { ...rest, source: source ? describeSource(source) : null };
    io.out(options.json ? JSON.stringify(result, null, 2) : describe(result));
    if (problem) throw problem;
    return result;
  } finally {
    clearInterval(timer);
    buffer.close();
  }
}

function describe(result: LiveResult): string {
  if (result.source === null) return `finished ${result.finishedEarlier} live session(s) an earlier run left open`;
  const earlier = result.finishedEarlier ? ` (and ${result.finishedEarlier} session(s) left by an earlier run)` : '';
  const id = result.activityId ? `live activity ${result.activityId}` : 'live activity (not started: no fix)';
  const state = result.stopped ? 'stopped' : `not stopped, ${result.buffered} point(s) still buffered`;
  const retries = result.retries ? `, ${result.retries} retr${result.retries === 1 ? 'y' : 'ies'}` : '';
  return `${id}: ${result.sent} point(s) sent in ${result.batches} batch(es)${retries}; ${state}${earlier}`;
}
