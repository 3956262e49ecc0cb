/**
 * Numbers, dates and units as a person reads them. Dates go out as <time> with the
 * ISO instant; the page's script re-renders them in the browser's own time zone, and
 * the server's rendering (the same machine's zone) stands when scripts are off.
 */
import { METRES_PER_MILE, duration as formatDuration, type Units } from '../../present/present.js';
import { html, type Html } from './html.js';

export { distance, duration, relative, type Units } from '../../present/present.js';

/** Where distances are in miles by default; everyone else (the UK too) starts in km and can switch on the page. */
const MILE_REGIONS = new Set(['US', 'LR', 'MM']);

/** The browser's choice (cookie), else the config's, else the first language's region. */
export function unitsFor(choice: string | undefined, configured: 'auto' | Units, acceptLanguage: string | undefined): Units {
  if (choice === 'km' || choice === 'mi') return choice;
  if (configured !== 'auto') return configured;
  const first = (acceptLanguage ?? '').split(',')[0]?.trim() ?? '';
  const region = first.split(';')[0]!.split('-')[1]?.toUpperCase();
  return region && MILE_REGIONS.has(region) ? 'mi' : 'km';
}

/** The first language of the browser, when it is one Intl knows; else English. */
export function localeFor(acceptLanguage: string | undefined): string {
  const first = (acceptLanguage ?? '').split(',')[0]?.split(';')[0]?.trim();
  try {
    return first ? (Intl.DateTimeFormat.supportedLocalesOf([first])[0] ?? 'en') : 'en';
  } catch {
    return 'en';
  }
}

/** Pace for foot sports, speed for the rest: what each kind of athlete looks for. */
export function paceOrSpeed(metres: number | null | undefined, seconds: number | null | undefined, sport: string | null, units: Units): string | undefined {
  if (!metres || !seconds || metres < 10 || seconds < 1) return undefined;
  const unitMetres = units === 'mi' ? METRES_PER_MILE : 1000;
  if (sport && /run|walk|hik|trek|foot/i.test(sport)) return `${formatDuration((seconds / metres) * unitMetres)} /${units}`;
  const perHour = (metres / unitMetres) / (seconds / 3600);
  return `${perHour.toFixed(1)} ${units === 'mi' ? 'mph' : 'km/h'}`;
}

export type DateStyle = 'datetime' | 'precise' | 'date' | 'time';

const STYLES: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  datetime: { dateStyle: 'medium', timeStyle: 'short' },
  precise: { dateStyle: 'medium', timeStyle: 'medium' },
  date: { dateStyle: 'medium' },
  time: { timeStyle: 'medium' },
};

/** Making a DateTimeFormat costs far more than using one: one per locale and style. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, style: DateStyle): Intl.DateTimeFormat {
  const key = `${locale}|${style}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(locale, STYLES[style]);
    formatters.set(key, made);
  }
  return made;
}

export function time(at: string | number | null | undefined, locale: string, style: DateStyle = 'datetime'): Html {
  if (at === null || at === undefined) return html`—`;
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return html`—`;
  return html`<time datetime="${date.toISOString()}" data-style="${style}">${formatter(locale, style).format(date)}</time>`;
}

/** "Running", "Cycling", from the Map My Tracks type or the file's own sport. */
export function sportLabel(activityType: string | null, sport: string | null): string {
  const name = activityType ?? sport;
  if (!name) return 'Activity';
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
