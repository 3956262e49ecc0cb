/**
 * Decides what the sync does with a TCX file. Same rule as GPX: a recording
 * needs at least two track points with a position and a time. Courses and
 * workouts are plans, not recordings; an indoor activity (times, heart rate,
 * no positions) has nothing to draw on Map My Tracks and the API refuses a
 * track with no points, so it is skipped with that reason rather than failing
 * at upload time.
 */
import type { Activity, DeviceInfo } from '../activity.js';
import { toMmtActivityType } from '../activity-types.js';
import type { XmlLimits } from '../xml/stream.js';
import { createStreamingClassifier, type StreamingClassifier } from '../xml/streaming-classifier.js';
import { type TrackSummary, trackIdentity } from '../xml/track-summary.js';
import { TcxWalker } from './walker.js';

export const TCX_NO_RECORDED_TRACK = 'no recorded track (fewer than 2 timed track points with a position)';

export type TcxClassifier = StreamingClassifier;

const isXmlSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/**
 * Classify a TCX fed in pieces. Never throws. Whitespace before the XML declaration is
 * dropped: Strava's export writes TCX files that start with it, which a strict parser
 * refuses ("an XML declaration must be at the start"); Strava's own importers strip it.
 */
export function createTcxClassifier(limits?: Partial<XmlLimits>): TcxClassifier {
  const classifier = createStreamingClassifier(
    { label: 'TCX', makeWalker: (onPoint) => new TcxWalker(onPoint), verdict, invalid: (reason) => skip('invalid', reason) },
    limits,
  );
  let started = false;
  return {
    write(chunk) {
      if (!started) {
        let skip = 0;
        while (skip < chunk.length && isXmlSpace(chunk[skip]!)) skip++;
        if (skip === chunk.length) return;
        started = true;
        chunk = chunk.subarray(skip);
      }
      classifier.write(chunk);
    },
    finish: () => classifier.finish(),
  };
}

export function classifyTcx(bytes: Uint8Array): Activity {
  const classifier = createTcxClassifier();
  classifier.write(bytes);
  return classifier.finish();
}

function verdict(summary: TrackSummary, walker: TcxWalker, hashPrefix: string): Activity {
  const distinct = [...new Set(walker.sports)];
  const sport = distinct.length > 1 ? 'Multisport' : distinct[0];
  const activityType = sport === undefined ? undefined : toMmtActivityType(sport);
  const device: DeviceInfo = {
    ...(walker.product !== undefined && { product: walker.product }),
    ...(walker.serial !== undefined && { serial: walker.serial }),
  };
  // The device's own distance (wheel sensor, filtered GPS) when every lap has one.
  const distanceM =
    walker.laps > 0 && walker.lapsWithDistance === walker.laps
      ? Math.round(walker.lapDistanceM * 10) / 10
      : summary.positions > 1
        ? summary.roundedDistanceM
        : undefined;
  const startMs = walker.firstId ?? (summary.timed > 0 ? summary.minTime : undefined);
  const common = {
    format: 'tcx' as const,
    ...(sport !== undefined && { sport }),
    ...(activityType !== undefined && { activityType }),
    ...(startMs !== undefined && { start: new Date(startMs).toISOString() }),
    ...(summary.durationS !== undefined && { durationS: summary.durationS }),
    ...(distanceM !== undefined && { distanceM }),
    points: summary.points,
    positions: summary.positions,
    ...(Object.keys(device).length > 0 && { device }),
    ...(summary.timed > 0 && { identity: trackIdentity('tcx', summary, hashPrefix) }),
    problems: [],
  };
  if (summary.timed >= 2) {
    const across = walker.activities > 1 ? ` in ${walker.activities} activities` : '';
    return { ...common, kind: 'activity', verdict: 'upload', reason: `track with ${summary.timed} timed points${across}` };
  }
  if (summary.timedAny >= 2) {
    return {
      ...common,
      kind: 'activity without positions',
      verdict: 'skip',
      reason: `no track to map (indoor activity: ${summary.timedAny} timed track points, ${summary.timed} with a position)`,
    };
  }
  if (walker.activities === 0 && walker.courses > 0) {
    return { ...common, kind: 'course', verdict: 'skip', reason: 'a course (a planned route), not a recorded activity' };
  }
  if (walker.activities === 0 && walker.workouts > 0) {
    return { ...common, kind: 'workout', verdict: 'skip', reason: 'a workout plan, not a recorded activity' };
  }
  return { ...common, kind: walker.activities > 0 ? 'activity' : 'empty', verdict: 'skip', reason: TCX_NO_RECORDED_TRACK };
}

function skip(kind: string, reason: string): Activity {
  return { format: 'tcx', kind, points: 0, positions: 0, problems: [], verdict: 'skip', reason };
}
