/**
 * Where live points come from: a gpsd daemon or a followed file. One name per
 * source (stored with the session, so a restart knows what it resumes).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../log.js';
import { streamGpsd } from './gpsd.js';
import { followTrackFile } from './track-file.js';
import type { TrackPoint } from './track-point.js';

export type LiveSourceSpec =
  | { readonly kind: 'gpsd'; readonly host: string; readonly port: number }
  | { readonly kind: 'file'; readonly path: string };

/** Why a source stopped delivering: gpsd went away, the file stopped growing, or we were told to stop. */
export type SourceEnd = 'gone' | 'idle' | 'aborted';

export function sourceId(spec: LiveSourceSpec): string {
  return spec.kind === 'gpsd' ? `gpsd://${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}` : pathToFileURL(resolve(spec.path)).href;
}

export function describeSource(spec: LiveSourceSpec): string {
  return spec.kind === 'gpsd' ? `gpsd ${spec.host}:${spec.port}` : resolve(spec.path);
}

export interface SourceRun {
  readonly onPoint: (point: TrackPoint) => void;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly idleStopMs: number;
  /** Tests shrink these; users never need to. */
  readonly tuning?: { readonly gpsdConnectWaitMs?: number; readonly pollMs?: number };
}

export function runSource(spec: LiveSourceSpec, run: SourceRun): Promise<SourceEnd> {
  if (spec.kind === 'gpsd') {
    return streamGpsd({
      host: spec.host,
      port: spec.port,
      onPoint: run.onPoint,
      log: run.log,
      signal: run.signal,
      ...(run.tuning?.gpsdConnectWaitMs === undefined ? {} : { connectWaitMs: run.tuning.gpsdConnectWaitMs }),
    });
  }
  return followTrackFile({
    path: spec.path,
    onPoint: run.onPoint,
    idleMs: run.idleStopMs,
    signal: run.signal,
    log: run.log,
    ...(run.tuning?.pollMs === undefined ? {} : { pollMs: run.tuning.pollMs }),
  });
}
