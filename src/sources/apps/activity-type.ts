/**
 * "Indoor rides get an indoor type unless the file says otherwise": what an activity from
 * an app folder is, when the user set no type for the app. Pure.
 *
 * The file says otherwise when
 * - its sub-sport decides a type by itself (Zwift writes `virtual_activity`, a trainer
 *   `indoor_cycling`, a treadmill `treadmill`): that type stands; or
 * - its sport is not one the app usually records (a rowing session in an indoor cycling
 *   app): the file's type stands.
 * Otherwise (sport `cycling` or `generic`, or none) the app's usual type applies.
 */
import type { Activity } from '../../formats/activity.js';
import { toMmtActivityType } from '../../formats/activity-types.js';
import type { Source } from '../source.js';

const normalise = (word: string): string => word.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** The activity type to upload `activity` under from `source`, before the user's per-source override. */
export function activityTypeFor(source: Pick<Source, 'quirks'>, activity: Pick<Activity, 'sport' | 'subSport' | 'activityType'>): string | undefined {
  const usual = source.quirks?.usualActivity;
  if (!usual) return activity.activityType;
  // With no sport, the mapping answers only when the sub-sport alone decides.
  if (activity.subSport !== undefined && toMmtActivityType(undefined, activity.subSport) !== undefined) return activity.activityType;
  const sport = activity.sport === undefined ? undefined : normalise(activity.sport);
  if (sport !== undefined && !usual.sports.includes(sport)) return activity.activityType ?? usual.activityType;
  return usual.activityType;
}

/**
 * The classified activity as the intake should record it for this source: the app's
 * usual type filled in where the file does not say otherwise. Everything else unchanged.
 */
export function activityForSource<A extends Pick<Activity, 'sport' | 'subSport' | 'activityType'>>(source: Pick<Source, 'quirks'>, activity: A): A {
  const activityType = activityTypeFor(source, activity);
  if (activityType === activity.activityType) return activity;
  return { ...activity, ...(activityType !== undefined ? { activityType } : {}) };
}
