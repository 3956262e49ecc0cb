/**
 * The one summary every decoder (FIT, GPX, TCX) produces for a file, and the
 * verdict the rest of the pipeline acts on. Pure data: no I/O lives in formats/.
 */
export type FileFormat = 'fit' | 'gpx' | 'tcx' | 'unknown';

/** upload: the original bytes go up. repair: `repaired` bytes go up, flagged. skip: never uploaded. */
export type Verdict = 'upload' | 'repair' | 'skip';

export interface DeviceInfo {
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serial?: string;
}

export interface Activity {
  readonly format: FileFormat;
  /** What the file is: 'activity', or for FIT the file_id type ('settings', 'workout', …), 'route', 'waypoints', … */
  readonly kind: string;
  readonly sport?: string;
  readonly subSport?: string;
  /** Map My Tracks activity type (lowercase, from the contract's list), when the file says. */
  readonly activityType?: string;
  /** ISO 8601 UTC. */
  readonly start?: string;
  readonly durationS?: number;
  readonly distanceM?: number;
  /** Records/track points seen. */
  readonly points: number;
  /** Points with a valid latitude and longitude. */
  readonly positions: number;
  readonly device?: DeviceInfo;
  /**
   * Identifies the activity regardless of file name, path or mtime:
   * FIT `fit:<manufacturer>:<serial>:<time_created>`, GPX/TCX `<fmt>:<first time>:<points>:<sha256 prefix>`.
   */
  readonly identity?: string;
  /** Integrity faults found (CRC mismatch, truncation, …); empty when clean. */
  readonly problems: readonly string[];
  readonly verdict: Verdict;
  /** One line a user can read: why this verdict. */
  readonly reason: string;
  /** The track's outline for drawing: Google encoded polyline of at most ~200 points (formats/polyline). */
  readonly polyline?: string;
  /** For verdict 'repair': what to upload instead of the original, and its format. */
  readonly repaired?: { readonly format: 'fit' | 'gpx'; readonly bytes: Uint8Array };
}
