import type { Activity, DeviceInfo } from '../formats/activity.js';
import type { FileState } from './states.js';

/** One file as the journal knows it (camelCase view of a `files` row). */
export interface FileRecord {
  readonly id: number;
  readonly sourceId: string;
  readonly relPath: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string | null;
  readonly format: string | null;
  readonly kind: string | null;
  readonly sport: string | null;
  readonly activityType: string | null;
  readonly start: string | null;
  readonly durationS: number | null;
  readonly distanceM: number | null;
  readonly points: number | null;
  readonly positions: number | null;
  readonly device: DeviceInfo | null;
  readonly identity: string | null;
  readonly verdict: Activity['verdict'] | null;
  readonly reason: string | null;
  readonly problems: readonly string[];
  readonly state: FileState;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: number | null;
  readonly remoteId: string | null;
  readonly remoteStatus: string | null;
  readonly duplicateOf: number | null;
  readonly claimedBy: string | null;
  readonly firstSeenAt: number;
  readonly updatedAt: number;
  readonly uploadedAt: number | null;
  /** The format of the bytes that go up ('gpx' for a FIT rebuilt by repair). */
  readonly uploadFormat: string | null;
  readonly uploadSha256: string | null;
  /** The track's outline for drawing (Google encoded polyline), when it has positions. */
  readonly polyline: string | null;
  /** Journaled from its stat alone: never opened (a first plug-in's clearly old file). */
  readonly unread: boolean;
  /** Asked for (--since, forget, import): uploaded if it started at or after this (0: any time). */
  readonly wantedFrom: number | null;
  /** When the activity happened as best known (ms): decoded start, else its name, else mtime. */
  readonly activityAt: number | null;
  /** The name given to the activity elsewhere (Strava's activities.csv): its title on upload. */
  readonly activityName: string | null;
  /** Who sends it when queued: null for sync and the daemon, 'import' for `mmt-sync import` (paced). */
  readonly lane: string | null;
}

type Raw = Record<string, unknown>;

function json<T>(value: unknown, fallback: T): T {
  if (typeof value !== 'string') return fallback;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

export function toRecord(row: Raw): FileRecord {
  return {
    id: row.id as number,
    sourceId: row.source_id as string,
    relPath: row.rel_path as string,
    path: row.path as string,
    size: row.size as number,
    mtimeMs: row.mtime_ms as number,
    sha256: (row.sha256 as string | null) ?? null,
    format: (row.format as string | null) ?? null,
    kind: (row.kind as string | null) ?? null,
    sport: (row.sport as string | null) ?? null,
    activityType: (row.activity_type as string | null) ?? null,
    start: (row.start as string | null) ?? null,
    durationS: (row.duration_s as number | null) ?? null,
    distanceM: (row.distance_m as number | null) ?? null,
    points: (row.points as number | null) ?? null,
    positions: (row.positions as number | null) ?? null,
    device: json<DeviceInfo | null>(row.device, null),
    identity: (row.identity as string | null) ?? null,
    verdict: (row.verdict as FileRecord['verdict']) ?? null,
    reason: (row.reason as string | null) ?? null,
    problems: json<string[]>(row.problems, []),
    state: row.state as FileState,
    attempts: row.attempts as number,
    lastError: (row.last_error as string | null) ?? null,
    nextAttemptAt: (row.next_attempt_at as number | null) ?? null,
    remoteId: (row.remote_id as string | null) ?? null,
    remoteStatus: (row.remote_status as string | null) ?? null,
    duplicateOf: (row.duplicate_of as number | null) ?? null,
    claimedBy: (row.claimed_by as string | null) ?? null,
    firstSeenAt: row.first_seen_at as number,
    updatedAt: row.updated_at as number,
    uploadedAt: (row.uploaded_at as number | null) ?? null,
    uploadFormat: (row.upload_format as string | null) ?? null,
    uploadSha256: (row.upload_sha256 as string | null) ?? null,
    polyline: (row.polyline as string | null) ?? null,
    unread: row.unread === 1,
    wantedFrom: (row.wanted_from as number | null) ?? null,
    activityAt: (row.activity_at as number | null) ?? null,
    activityName: (row.activity_name as string | null) ?? null,
    lane: (row.lane as string | null) ?? null,
  };
}
