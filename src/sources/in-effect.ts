/**
 * What `mmt-sync sources` shows: every source in effect (configured folders, app folders,
 * watches), why each was found, whether it is there, and how many of its files the journal
 * holds; plus watches seen before that are not connected now. Pure: the caller gathers the
 * sources and reads the journal.
 */
import type { AppIdentity, DeviceIdentity, Source, SourceQuirks } from './source.js';

export interface SourceInEffect {
  readonly id: string;
  readonly kind: Source['kind'];
  readonly label: string;
  /** Absent for a watch that is not connected. */
  readonly root?: string;
  readonly foundBy?: string;
  readonly present: boolean;
  /** Files of this source in the journal. */
  readonly journaled: number;
  /** ISO time of the last completed scan, when there was one. */
  readonly lastScan?: string;
  readonly app?: AppIdentity;
  readonly device?: Pick<DeviceIdentity, 'vendor' | 'model' | 'serial' | 'transport'>;
  readonly activityType?: string;
  readonly status?: 'public' | 'private';
  /** The source's quirks, in words. */
  readonly behaviour: readonly string[];
}

export interface JournalView {
  readonly counts: ReadonlyMap<string, number>;
  readonly known: ReadonlyArray<{ readonly id: string; readonly label: string; readonly lastScanAt: number }>;
}

/** The quirks of a source as a user reads them. */
export function describeQuirks(quirks: SourceQuirks | undefined): string[] {
  if (!quirks) return [];
  const words: string[] = [];
  if (quirks.never?.length) words.push(`never takes ${quirks.never.join(', ')}`);
  if (quirks.recording) words.push(`takes a ride once it has stopped growing (${quirks.recording.marker} quiet for ${quirks.recording.freshS / 60} min)`);
  if (quirks.overwritesInPlace) words.push('each new content of a file is a new activity');
  if (quirks.placeholders) words.push('an empty placeholder waits for its content');
  if (quirks.usualActivity) words.push(`a file that says only ${quirks.usualActivity.sports.join('/')} is ${quirks.usualActivity.activityType}`);
  return words;
}

export function sourcesInEffect(found: readonly Source[], journal: JournalView, isPresent: (root: string) => boolean): SourceInEffect[] {
  const lastScan = new Map(journal.known.map((k) => [k.id, new Date(k.lastScanAt).toISOString()]));
  const listed: SourceInEffect[] = found.map((source) => {
    const scanned = lastScan.get(source.id);
    return {
      id: source.id,
      kind: source.kind,
      label: source.label,
      root: source.root,
      ...(source.foundBy !== undefined ? { foundBy: source.foundBy } : {}),
      present: isPresent(source.root),
      journaled: journal.counts.get(source.id) ?? 0,
      ...(scanned !== undefined ? { lastScan: scanned } : {}),
      ...(source.app ? { app: source.app } : {}),
      ...(source.device ? { device: pickDevice(source.device) } : {}),
      ...(source.activityType !== undefined ? { activityType: source.activityType } : {}),
      ...(source.status !== undefined ? { status: source.status } : {}),
      behaviour: describeQuirks(source.quirks),
    };
  });
  const shown = new Set(found.map((s) => s.id));
  // Watches come and go; one seen before is still this user's source. Folders and apps
  // that are no longer configured or installed are not in effect and say nothing.
  for (const known of journal.known) {
    if (shown.has(known.id) || !known.id.startsWith('device:')) continue;
    listed.push({
      id: known.id,
      kind: 'device',
      label: known.label,
      foundBy: 'seen before',
      present: false,
      journaled: journal.counts.get(known.id) ?? 0,
      lastScan: new Date(known.lastScanAt).toISOString(),
      behaviour: [],
    });
  }
  return listed;
}

function pickDevice(device: DeviceIdentity): SourceInEffect['device'] {
  return {
    vendor: device.vendor,
    ...(device.model !== undefined ? { model: device.model } : {}),
    ...(device.serial !== undefined ? { serial: device.serial } : {}),
    transport: device.transport,
  };
}
