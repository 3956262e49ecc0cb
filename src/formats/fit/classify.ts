import type { Activity } from '../activity.js';
import { toMmtActivityType } from '../activity-types.js';
import { trackToGpx } from './gpx.js';
import { trackOutline } from './outline.js';
import { FILE_TYPE_ACTIVITY } from './profile.js';
import { MessageLog } from './message-log.js';
import { repairFit, type FitRepair } from './repair.js';
import { scanFit, type Fault, type Scan, type Segment } from './scan.js';
import { summarise } from './summary.js';
import { findOutliers, Track } from './track.js';

/**
 * What to do with a FIT file: upload it as it is, upload a repaired version, or skip it.
 * Pure (bytes in, Activity out) and total: any input, however broken, gets a verdict.
 *
 * Altered data is never accepted silently: any CRC mismatch, truncation, bad record or
 * corrupt chained file makes the verdict 'repair' (or 'skip' when nothing usable is left).
 * A repair uploads, in this order of preference: the intact first file of a chain as it
 * is; everything that decodes rewritten as a valid FIT file (repair.ts), which keeps
 * every message type the device wrote; the positioned records rebuilt as GPX.
 */
const MAX_PROBLEMS = 20;
const MAX_IN_REASON = 3;

export function classifyFit(bytes: Uint8Array): Activity {
  // The positions come along in the same pass: they give the drawing outline.
  const scan = scanFit(bytes, { track: true });
  if (!scan.fit) return notFit();

  const summary = summarise(scan, bytes);
  const allProblems = scan.segments.flatMap((segment, index) => segment.faults.map((f) => describe(f, index)));
  // Bounded: a hostile file can carry a million faults; a person reads the first few.
  const problems = allProblems.length > MAX_PROBLEMS ? [...allProblems.slice(0, MAX_PROBLEMS), `… and ${allProblems.length - MAX_PROBLEMS} more`] : allProblems;
  const base = {
    format: 'fit' as const,
    ...summary,
    activityType: toMmtActivityType(summary.sport, summary.subSport, { indoor: scan.records > 0 && scan.positions === 0 }),
    points: scan.records,
    positions: scan.positions,
    problems,
    ...trackOutline(scan.track, allProblems.length > 0),
  };
  const faults = allProblems.length > MAX_IN_REASON
    ? `${allProblems.slice(0, MAX_IN_REASON).join('; ')} (and ${allProblems.length - MAX_IN_REASON} more faults)`
    : allProblems.join('; ');
  const skip = (reason: string): Activity => ({ ...base, verdict: 'skip', reason });

  if (!scan.fileId) {
    return skip(faults ? `damaged FIT file (${faults}): no file_id message decodes` : 'FIT file without a file_id message');
  }
  const type = scan.fileId.type;
  // Some writers leave file_id.type out; records and a session are what an activity holds.
  const untyped = type !== type && scan.records > 0 && scan.sessions.length > 0;
  if (type !== FILE_TYPE_ACTIVITY && !untyped) return skip(`not an activity (file type: ${summary.kind})`);
  const activity = { ...base, kind: 'activity' };
  if (scan.records === 0) {
    return skip(faults ? `damaged activity file (${faults}): no records decode` : 'activity file without records');
  }
  if (!faults) return { ...activity, verdict: 'upload', reason: intactReason(scan, untyped) };

  const intactEnd = intactPrefixEnd(scan.segments, untyped);
  if (intactEnd > 0) {
    return {
      ...activity,
      verdict: 'repair',
      reason: `${faults}; uploading the intact first FIT file (${intactEnd} of ${bytes.length} bytes)`,
      repaired: { format: 'fit', bytes: new Uint8Array(bytes.subarray(0, intactEnd)) },
    };
  }
  const fit = repairSafely(bytes);
  if (fit) {
    // A recording spans time: like any GPX or TCX we upload, it needs 2 timed records.
    if (fit.timedRecords < 2) return skip(`${faults}; fewer than 2 timed records decode, nothing to upload`);
    // Sport, start, duration and distance of what goes up: a garbled session left out says nothing about it.
    const { identity: _, ...uploaded } = summarise(fit.scan, fit.bytes);
    const indoor = fit.scan.positions === 0;
    return {
      ...activity,
      ...uploaded,
      kind: 'activity',
      activityType: toMmtActivityType(uploaded.sport, uploaded.subSport, { indoor }),
      verdict: 'repair',
      reason: `${faults}; ${describeRepair(fit)}`,
      repaired: { format: 'fit', bytes: fit.bytes },
    };
  }
  // GPX only when no valid FIT file can be made of what decodes.
  const gpx = rebuildAsGpx(bytes, base.activityType ?? summary.sport, scan.track);
  if (gpx) return { ...activity, verdict: 'repair', reason: `${faults}; ${gpx.reason}`, repaired: { format: 'gpx', bytes: gpx.bytes } };
  return skip(`${faults}; fewer than 2 timed, positioned records decode, nothing to rebuild`);
}

/** Why an undamaged activity goes up as it is. */
function intactReason(scan: Scan, untyped: boolean): string {
  if (scan.sessions.length === 0 && scan.laps === 0) return 'activity without a summary';
  return untyped ? 'activity without a file type in its file_id (its records and session show one)' : 'complete activity file';
}

/** The rewrite must never take classification down: a bug in it means the GPX rebuild instead. */
function repairSafely(bytes: Uint8Array): FitRepair | undefined {
  try {
    return repairFit(bytes);
  } catch {
    return undefined;
  }
}

function describeRepair(fit: FitRepair): string {
  const parts = [`${fit.records} records`];
  if (fit.garbled) parts.push(`${fit.garbled} garbled ${fit.garbled === 1 ? 'message' : 'messages'} left out`);
  let text = `uploading what decodes as a repaired FIT file (${parts.join(', ')}`;
  if (fit.notKept) text += `; only the first ${MessageLog.MAX_MESSAGES} messages`;
  if (fit.rebuilt === 'summary') text += '; summary rebuilt from records';
  if (fit.rebuilt === 'activity') text += '; activity message rebuilt from its sessions';
  return `${text})`;
}

/** Every positioned record as a GPX track, less the garbled ones; undefined when fewer than 2 timed points remain. */
export function rebuildAsGpx(
  bytes: Uint8Array,
  type: string | undefined,
  // The first pass's track when the caller has it: one track in memory, not two.
  track: Track = scanFit(bytes, { track: true }).track!,
): { readonly bytes: Uint8Array; readonly reason: string } | undefined {
  if (track.length < 2) return undefined;
  const outliers = findOutliers(track);
  const kept = track.length - outliers.count;
  // Like any GPX we upload, the rebuilt track needs 2 timed points to be a recording.
  if (timedPoints(track, outliers.mask) < 2) return undefined;
  const gpx = trackToGpx(track, { ...(type !== undefined && { type }), skip: outliers.mask });
  const garbled = outliers.count ? `, ${outliers.count} garbled ones left out` : '';
  const dropped = track.dropped ? `${garbled}; only the first ${Track.MAX_POINTS} of ${track.length + track.dropped} points` : garbled;
  return { bytes: gpx, reason: `uploading what decodes (${kept} track points rebuilt as GPX${dropped})` };
}

function timedPoints(track: Track, skip: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < track.length && n < 2; i++) if (!skip[i] && track.time[i] === track.time[i]) n++;
  return n;
}

/**
 * End of the leading run of undamaged chained files, when that run holds the activity
 * (file_id type activity and at least one record); 0 otherwise.
 */
function intactPrefixEnd(segments: readonly Segment[], untyped: boolean): number {
  let end = 0;
  let records = 0;
  for (const segment of segments) {
    if (segment.faults.length > 0) break;
    end = segment.end;
    records += segment.records;
  }
  const first = segments[0];
  const damaged = segments.some((s) => s.faults.length > 0);
  const activity = first?.fileType === FILE_TYPE_ACTIVITY || (untyped && first?.fileType !== first?.fileType);
  return damaged && activity && records > 0 ? end : 0;
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

/** One problem line; faults of a chained file name which one. */
function describe(fault: Fault, index: number): string {
  if (index === 0) {
    switch (fault.kind) {
      case 'crc':
        return 'file CRC mismatch';
      case 'truncated':
        return `truncated (unexpected end of file: ${fault.detail})`;
      case 'unclosed':
        return `file never closed by the device (${fault.detail})`;
      case 'header':
        return fault.detail;
      case 'bad-record':
        return fault.detail;
    }
  }
  const which = index < ORDINALS.length ? `${ORDINALS[index]} chained FIT file` : `chained FIT file #${index + 1}`;
  switch (fault.kind) {
    case 'crc':
      return `${which} has a CRC mismatch`;
    case 'truncated':
      return `${which} is truncated (${fault.detail})`;
    case 'unclosed':
      return `${which} was never closed by the device (${fault.detail})`;
    case 'header':
      return `${which} has a corrupt header (${fault.detail})`;
    case 'bad-record':
      return `${which} has a ${fault.detail}`;
  }
}

function notFit(): Activity {
  return { format: 'unknown', kind: 'unknown', points: 0, positions: 0, problems: [], verdict: 'skip', reason: 'not a FIT file' };
}
