/**
 * A gpsd client (the JSON protocol over TCP, https://gpsd.io/gpsd_json.html):
 * `?WATCH={"enable":true,"json":true}`, then one JSON object per line. TPV
 * reports with a 2D/3D fix (mode ≥ 2), a position and a time become points;
 * reports without a fix are skipped. The stream ends when gpsd goes away.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { failure } from '../errors.js';
import type { Logger } from '../log.js';
import type { TrackPoint } from './track-point.js';

export const GPSD_DEFAULT_PORT = 2947;
const WATCH = '?WATCH={"enable":true,"json":true}\n';
/** A line this long is not gpsd talking (SKY reports with many satellites stay far below). */
const MAX_LINE = 1 << 20;

export interface GpsdEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface GpsdOptions extends GpsdEndpoint {
  readonly onPoint: (point: TrackPoint) => void;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** How long to keep trying the first connection (gpsd may still be starting). @default 30_000 */
  readonly connectWaitMs?: number;
  /** Pause between connection attempts. @default 200 */
  readonly connectRetryMs?: number;
  /** A held report goes out after this long without a newer one. @default 1_500 */
  readonly holdMs?: number;
}

/** `host:port`, `host`, `[v6]:port` or `:port`; missing parts are localhost and 2947. */
export function parseGpsdAddress(text: string | true | undefined): GpsdEndpoint {
  if (text === undefined || text === true || text === '') return { host: 'localhost', port: GPSD_DEFAULT_PORT };
  const match = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d{1,5}))?$/.exec(text.trim());
  const port = match?.[3] === undefined ? GPSD_DEFAULT_PORT : Number(match[3]);
  if (!match || port < 1 || port > 65535) throw new Error(`expected HOST:PORT (e.g. localhost:2947), got "${text}"`);
  return { host: match[1] ?? (match[2] || 'localhost'), port };
}

/**
 * gpsd may send several TPV reports for one epoch (one per sentence until it
 * has learnt the receiver's cycle), each more complete. The newest report of
 * an epoch is held and handed out once a later epoch begins, the fix is lost,
 * the stream ends, or holdMs pass.
 */
export class TpvEpochs {
  private held: TrackPoint | undefined;
  private lastOut = -Infinity;

  constructor(private readonly onPoint: (point: TrackPoint) => void) {}

  report(message: Record<string, unknown>): void {
    const mode = typeof message.mode === 'number' ? message.mode : 0;
    const point = mode >= 2 ? tpvPoint(message) : undefined;
    if (!point) {
      // No fix now: whatever was held is the last fix of its epoch.
      if (mode < 2) this.flush();
      return;
    }
    if (point.timeMs <= this.lastOut || (this.held && point.timeMs < this.held.timeMs)) return;
    if (this.held && point.timeMs > this.held.timeMs) this.flush();
    // Same epoch: the newer report wins, but keeps what only the older one knew.
    this.held = this.held ? { ...this.held, ...point } : point;
  }

  flush(): void {
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    this.lastOut = held.timeMs;
    this.onPoint(held);
  }

  get holding(): boolean {
    return this.held !== undefined;
  }
}

function tpvPoint(m: Record<string, unknown>): TrackPoint | undefined {
  const { lat, lon, time } = m;
  if (typeof lat !== 'number' || typeof lon !== 'number' || typeof time !== 'string') return undefined;
  const timeMs = Date.parse(time);
  if (!Number.isFinite(timeMs)) return undefined;
  // altMSL (gpsd ≥ 3.20), else the older `alt`, which was MSL too.
  const ele = [m.altMSL, m.alt].find((v): v is number => typeof v === 'number' && Number.isFinite(v));
  // A 2D fix's altitude is stale or made up.
  return { lat, lon, timeMs, ...(ele === undefined || m.mode !== 3 ? {} : { ele }) };
}

export type GpsdEnd = 'gone' | 'aborted';

/**
 * Streams fixes from gpsd until it closes the connection ('gone') or the
 * signal aborts. The first connection is retried for connectWaitMs (gpsd
 * started alongside, or socket-activated); failing that, an error.
 */
export async function streamGpsd(options: GpsdOptions): Promise<GpsdEnd> {
  const socket = await connectFirst(options);
  if (!socket) return 'aborted';
  options.log.info(`connected to gpsd at ${options.host}:${options.port}`);
  return new Promise<GpsdEnd>((resolve) => {
    const epochs = new TpvEpochs(options.onPoint);
    let buffered = '';
    let holdTimer: NodeJS.Timeout | undefined;
    const armHold = () => {
      clearTimeout(holdTimer);
      if (epochs.holding) holdTimer = setTimeout(() => epochs.flush(), options.holdMs ?? 1_500);
    };
    const finish = (end: GpsdEnd) => {
      clearTimeout(holdTimer);
      options.signal.removeEventListener('abort', onAbort);
      epochs.flush();
      socket.destroy();
      resolve(end);
    };
    const onAbort = () => finish('aborted');
    options.signal.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) handleLine(line, epochs, options.log);
      }
      if (buffered.length > MAX_LINE) {
        options.log.warn('gpsd sent an overlong line; dropped');
        buffered = '';
      }
      armHold();
    });
    socket.on('error', (error) => options.log.warn(`gpsd connection: ${error.message}`));
    socket.on('close', () => {
      if (!options.signal.aborted) options.log.info(`gpsd at ${options.host}:${options.port} closed the connection`);
      finish(options.signal.aborted ? 'aborted' : 'gone');
    });
    socket.write(WATCH);
  });
}

function handleLine(line: string, epochs: TpvEpochs, log: Logger): void {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    log.debug(`gpsd: not JSON, ignored: ${line.slice(0, 80)}`);
    return;
  }
  if (typeof message !== 'object' || message === null) return;
  const report = message as Record<string, unknown>;
  if (report.class === 'TPV') epochs.report(report);
  else if (report.class === 'ERROR') log.warn(`gpsd: ${String(report.message)}`);
}

async function connectFirst(options: GpsdOptions): Promise<Socket | undefined> {
  const deadline = Date.now() + (options.connectWaitMs ?? 30_000);
  let told = false;
  for (;;) {
    if (options.signal.aborted) return undefined;
    try {
      return await connectOnce(options);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (Date.now() >= deadline || !['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT'].includes(code)) {
        throw failure('GPSD_UNREACHABLE', `cannot connect to gpsd at ${options.host}:${options.port} (${code}): is gpsd running? (\`systemctl status gpsd\`)`, error);
      }
      if (!told) options.log.info(`waiting for gpsd at ${options.host}:${options.port} (${code})`);
      told = true;
      await sleep(options.connectRetryMs ?? 200, undefined, { signal: options.signal }).catch(() => undefined);
    }
  }
}

function connectOnce(endpoint: GpsdEndpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    socket.setTimeout(10_000, () => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
