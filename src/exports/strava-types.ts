/**
 * Strava's activity types (the "Activity Type" column of activities.csv, e.g. "Virtual
 * Ride", "E-Bike Ride", or the API's `VirtualRide`) onto Map My Tracks types. Written with
 * spaces in the CSV and without in the API; both reduce to the same key here. Types the
 * shared mapping in src/formats already knows fall through to it.
 */
import { toMmtActivityType, type MmtActivityType } from '../formats/activity-types.js';

/** Strava types the shared mapping does not know (Strava API `SportType` names, lower case). */
const STRAVA_ONLY: Record<string, MmtActivityType> = {
  gravelride: 'cycling',
  velomobile: 'cycling',
  emountainbikeride: 'mountain biking',
  handcycle: 'hand cycling',
  virtualrun: 'running',
  trailrun: 'running',
  backcountryski: 'skiing',
  rollerski: 'cross country skiing',
  sail: 'sailing',
  wheelchair: 'wheelchair',
};

export function stravaActivityType(type: string | undefined): MmtActivityType | undefined {
  if (type === undefined || type.trim() === '') return undefined;
  const key = type.toLowerCase().replace(/[\s_-]+/g, '');
  return STRAVA_ONLY[key] ?? toMmtActivityType(type);
}
