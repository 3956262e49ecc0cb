/**
 * Decides what the sync does with a TCX file. Same rule as GPX and FIT: a recording
 * needs at least two timed track points; with positions it is a track, without (a
 * treadmill, a trainer: Trackpoints with Time but no Position) an indoor activity,
 * uploaded with its indoor type. Courses and workouts are plans, not recordings.
 */
import type { Activity, DeviceInfo } from '../activity.js';
import { toMmtActivityType } from '../activity-types.js';
import type { XmlLimits } from '../xml/stream.js';
import { createStreamingClassifier, type StreamingClassifier } from '../xml/streaming-classifier.js';
import { indoorReason, recordingOf, type TrackSummary, trackIdentity } from '../xml/track-summary.js';
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
  const recording = recordingOf(summary);
  const indoor = recording === 'indoor';
  const activityType = sport === undefined ? undefined : toMmtActivityType(sport, undefined, { indoor });
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
  const startMs = walker.firstId ?? (summary.timed > 0 ? summary.minTime : summary.timedAny > 0 ? summary.anyMinTime : undefined);
  const durationS = indoor ? summary.anyDurationS : summary.durationS;
  const identity = trackIdentity('tcx', summary, hashPrefix);
  const common = {
    format: 'tcx' as const,
    ...(sport !== undefined && { sport }),
    ...(activityType !== undefined && { activityType }),
    ...(startMs !== undefined && { start: new Date(startMs).toISOString() }),
    ...(durationS !== undefined && { durationS }),
    ...(distanceM !== undefined && { distanceM }),
    points: summary.points,
    positions: summary.positions,
    ...(Object.keys(device).length > 0 && { device }),
    ...(identity !== undefined && { identity }),
    problems: [],
  };
  const across = walker.activities > 1 ? ` in ${walker.activities} activities` : '';
  if (recording === 'track') {
    return { ...common, kind: 'activity', verdict: 'upload', reason: `track with ${summary.timed} timed points${across}` };
  }
  if (indoor) return { ...common, kind: 'activity', verdict: 'upload', reason: `${indoorReason(summary)}${across}` };
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
