import { createHash } from 'node:crypto';
import type { DeviceInfo } from '../activity.js';
import { FILE_TYPE_NAMES, MANUFACTURER_NAMES, SPORT_NAMES, SUB_SPORT_NAMES } from './profile-names.js';
import { productName } from './product-names.js';
import type { Scan, Session } from './scan.js';
import { fitTimeToIso, isAbsoluteFitTime, isPlausibleFitTime } from './time.js';

/** The descriptive part of an Activity, from a scan; the verdict is classify.ts's job. */
export interface Summary {
  readonly kind: string;
  readonly sport?: string;
  readonly subSport?: string;
  readonly start?: string;
  readonly durationS?: number;
  readonly distanceM?: number;
  readonly device?: DeviceInfo;
  readonly identity?: string;
}

const known = (n: number): boolean => n === n;

export function fileTypeName(type: number): string {
  return known(type) ? (FILE_TYPE_NAMES[type] ?? `file type ${type}`) : 'unknown';
}

const sportName = (n: number): string | undefined => (known(n) ? (SPORT_NAMES[n] ?? `sport ${n}`) : undefined);
const subSportName = (n: number): string | undefined => (known(n) ? (SUB_SPORT_NAMES[n] ?? `sub_sport ${n}`) : undefined);

export function summarise(scan: Scan, bytes: Uint8Array): Summary {
  const sessions = distinctSessions(scan.sessions);
  const { sport, subSport } = sportOf(scan, sessions);
  return {
    kind: fileTypeName(scan.fileId?.type ?? NaN),
    sport,
    subSport,
    start: startOf(scan, sessions),
    durationS: durationOf(scan, sessions),
    distanceM: distanceOf(scan, sessions),
    device: deviceOf(scan),
    identity: identityOf(scan, bytes),
  };
}

/** A chained copy of the same activity repeats its sessions; count each once. */
function distinctSessions(sessions: readonly Session[]): Session[] {
  const seen = new Set<string>();
  return sessions.filter((s) => {
    const key = `${s.start}|${s.sport}|${s.subSport}|${s.elapsedS}|${s.distanceM}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A multisport file (triathlon, swimrun, …) has one session per leg: it is
 * 'multisport' when its legs, transitions aside, are of more than one sport.
 */
function sportOf(scan: Scan, sessions: readonly Session[]): { sport?: string; subSport?: string } {
  const legs = sessions.filter((s) => known(s.sport) && SPORT_NAMES[s.sport] !== 'transition');
  const sports = new Set(legs.map((s) => s.sport));
  if (sports.size > 1) return { sport: 'multisport' };
  const first = legs[0] ?? sessions[0];
  if (first && known(first.sport)) return { sport: sportName(first.sport), subSport: subSportName(first.subSport) };
  if (known(scan.sport)) return { sport: sportName(scan.sport), subSport: subSportName(scan.subSport) };
  // A file cut off before its session may still have a lap that says.
  return { sport: sportName(scan.lapSport), subSport: subSportName(scan.lapSubSport) };
}

/**
 * The earliest session start, else the first record, else the creation time. A start
 * before 2000 is a clock that was never set (no GPS fix yet, a reset watch); when the
 * file_id holds a plausible creation time, that is when the activity was recorded.
 */
function startOf(scan: Scan, sessions: readonly Session[]): string | undefined {
  const starts = sessions.map((s) => s.start).filter(isAbsoluteFitTime);
  const candidates = [starts.length ? Math.min(...starts) : NaN, scan.firstRecordTime, scan.fileId?.timeCreated ?? NaN];
  const time = candidates.find(isAbsoluteFitTime);
  return time === undefined ? undefined : fitTimeToIso(plausibleOrCreated(time, scan));
}

/** `time`, or the creation time when `time` is before 2000 and the creation time is not. */
function plausibleOrCreated(time: number, scan: Scan): number {
  const created = scan.fileId?.timeCreated ?? NaN;
  return !isPlausibleFitTime(time) && isPlausibleFitTime(created) ? created : time;
}

function durationOf(scan: Scan, sessions: readonly Session[]): number | undefined {
  let total = 0;
  let any = false;
  for (const s of sessions) {
    const d = known(s.elapsedS) ? s.elapsedS : s.timerS;
    if (known(d)) {
      total += d;
      any = true;
    }
  }
  if (any) return round3(total);
  if (known(scan.activityTimerS)) return round3(scan.activityTimerS);
  const span = scan.lastRecordTime - scan.firstRecordTime;
  return known(span) && span >= 0 ? span : undefined;
}

function distanceOf(scan: Scan, sessions: readonly Session[]): number | undefined {
  let total = 0;
  let any = false;
  for (const s of sessions) {
    if (known(s.distanceM)) {
      total += s.distanceM;
      any = true;
    }
  }
  if (any) return round3(total);
  return known(scan.maxDistanceM) ? round3(scan.maxDistanceM) : undefined;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

function manufacturerName(n: number): string | undefined {
  return known(n) ? (MANUFACTURER_NAMES[n] ?? String(n)) : undefined;
}

function deviceOf(scan: Scan): DeviceInfo | undefined {
  const id = scan.fileId;
  const creator = scan.creator;
  const manufacturer = manufacturerName(id?.manufacturer ?? NaN) ?? manufacturerName(creator?.manufacturer ?? NaN);
  const fromFileId = known(id?.product ?? NaN);
  const productNum = fromFileId ? id!.product : (creator?.product ?? NaN);
  // The product number is read with the manufacturer of the same message (the profile's subfield rule).
  const makerNum = (fromFileId ? id?.manufacturer : creator?.manufacturer) ?? NaN;
  const product = id?.productName ?? creator?.productName ?? (known(productNum) ? (productName(makerNum, productNum) ?? String(productNum)) : undefined);
  const serialNum = known(id?.serial ?? NaN) ? id!.serial : (creator?.serial ?? NaN);
  const serial = known(serialNum) ? String(serialNum) : undefined;
  if (!manufacturer && !product && !serial) return undefined;
  return { manufacturer, product, serial };
}

/**
 * `fit:<manufacturer>:<serial>:<time_created>`: a device never creates two files in
 * the same second. Without a serial (Zwift, Strava, some Coros), the product and the
 * first record time narrow it down instead: `fit:<manufacturer>:product-<n>:<time_created>:<first record>`.
 * Without any time at all, a content hash: `fit:<manufacturer>:<serial|product-n>:sha256-<16 hex>`.
 */
function identityOf(scan: Scan, bytes: Uint8Array): string | undefined {
  const id = scan.fileId;
  if (!id) return undefined;
  const device = deviceOf(scan);
  const manufacturer = device?.manufacturer ?? 'unknown';
  const who = device?.serial ?? `product-${known(id.product) ? id.product : 'unknown'}`;
  const created = known(id.timeCreated) ? fitTimeToIso(id.timeCreated) : undefined;
  // The same rule as the start: a first record before 2000 beside a plausible creation time is that time.
  const firstRecord = known(scan.firstRecordTime) ? fitTimeToIso(plausibleOrCreated(scan.firstRecordTime, scan)) : undefined;
  if (created && device?.serial) return `fit:${manufacturer}:${who}:${created}`;
  if (created || firstRecord) return `fit:${manufacturer}:${who}:${created ?? '-'}:${firstRecord ?? '-'}`;
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return `fit:${manufacturer}:${who}:sha256-${hash}`;
}
