import { FIT_EPOCH_UNIX_S, FIT_MIN_ABSOLUTE_TIME } from './profile.js';

const DAY_S = 86_400;
// A track's points share a handful of days: format the date part once per day.
let cachedDay = NaN;
let cachedDate = '';

/** A FIT date_time as ISO 8601 UTC, to the second: 2013-02-06T12:11:14Z. */
export function fitTimeToIso(time: number): string {
  const unix = Math.floor(time) + FIT_EPOCH_UNIX_S;
  const day = Math.floor(unix / DAY_S);
  if (day !== cachedDay) {
    cachedDate = new Date(day * DAY_S * 1000).toISOString().slice(0, 11);
    cachedDay = day;
  }
  const s = unix - day * DAY_S;
  return `${cachedDate}${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}Z`;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** True for a real date; false for NaN and for "seconds since power-on" values. */
export function isAbsoluteFitTime(time: number): boolean {
  return time >= FIT_MIN_ABSOLUTE_TIME;
}

/** 2000-01-01T00:00:00Z in FIT seconds: no device recorded an activity in FIT before it (FIT dates from 2008). */
const FIT_Y2000 = 946_684_800 - FIT_EPOCH_UNIX_S;

/** A date a device could really have recorded: from 2000 on. */
export function isPlausibleFitTime(time: number): boolean {
  return time >= FIT_Y2000;
}
