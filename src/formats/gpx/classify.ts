/**
 * Decides what the sync does with a GPX file. A recorded activity has at least two
 * timed track points: with positions, a track; without (an indoor activity: `<trkpt>`
 * without lat/lon, as Wahoo and Strava exports write points without a fix, or every
 * point at 0,0), an activity all the same, as in FIT and TCX. Routes, waypoint files and
 * tracks drawn on a map (no times) are not activities.
 */
import type { Activity } from '../activity.js';
import { toMmtActivityType } from '../activity-types.js';
import type { XmlLimits } from '../xml/stream.js';
import { createStreamingClassifier, type StreamingClassifier } from '../xml/streaming-classifier.js';
import { indoorReason, recordingOf, type TrackSummary, trackIdentity } from '../xml/track-summary.js';
import { GpxWalker } from './walker.js';

export const NO_RECORDED_TRACK =
  'no recorded track (fewer than 2 timed track points: route, waypoints or drawn track)';

export type GpxClassifier = StreamingClassifier;

/** Classify a GPX fed in pieces (e.g. straight from a file stream). Never throws. */
export function createGpxClassifier(limits?: Partial<XmlLimits>): GpxClassifier {
  return createStreamingClassifier(
    { label: 'GPX', makeWalker: (onPoint) => new GpxWalker(onPoint), verdict, invalid: (reason) => skip('invalid', reason) },
    limits,
  );
}

export function classifyGpx(bytes: Uint8Array): Activity {
  const classifier = createGpxClassifier();
  classifier.write(bytes);
  return classifier.finish();
}

function verdict(summary: TrackSummary, walker: GpxWalker, hashPrefix: string): Activity {
  const sport = walker.trackType;
  const recording = recordingOf(summary);
  const indoor = recording === 'indoor';
  const activityType = sport === undefined ? undefined : toMmtActivityType(sport, undefined, { indoor });
  const start = indoor ? summary.anyStart : summary.start;
  const identity = trackIdentity('gpx', summary, hashPrefix);
  const common = {
    format: 'gpx' as const,
    ...(sport !== undefined && { sport }),
    ...(activityType !== undefined && { activityType }),
    ...(start !== undefined && { start, durationS: indoor ? summary.anyDurationS : summary.durationS }),
    ...(summary.positions > 1 && { distanceM: summary.roundedDistanceM }),
    points: summary.points,
    positions: summary.positions,
    ...(walker.creator !== undefined && { device: { manufacturer: walker.creator } }),
    ...(identity !== undefined && { identity }),
    problems: [],
  };
  if (recording === 'track') {
    return { ...common, kind: 'activity', verdict: 'upload', reason: `track with ${summary.timed} timed points` };
  }
  if (indoor) return { ...common, kind: 'activity', verdict: 'upload', reason: indoorReason(summary) };
  return { ...common, kind: skipKind(summary, walker), verdict: 'skip', reason: NO_RECORDED_TRACK };
}

function skipKind(summary: TrackSummary, walker: GpxWalker): string {
  if (summary.points > 0) return 'track without times';
  if (walker.routePoints > 0) return 'route';
  if (walker.waypoints > 0) return 'waypoints';
  return walker.tracks > 0 ? 'empty track' : 'empty';
}

function skip(kind: string, reason: string): Activity {
  return { format: 'gpx', kind, points: 0, positions: 0, problems: [], verdict: 'skip', reason };
}
