/** The title of a new live activity when the user gives none. */
import { basename } from 'node:path';
import type { LiveSourceSpec } from './source.js';

/**
 * The upload name template ({sport} {date} {time} {file} {device}), with the
 * start time added when the template has none: a retried or resumed
 * startActivity finds its activity by title, so titles of two sessions on one
 * day should differ.
 */
export function liveTitle(template: string, sport: string, source: LiveSourceSpec | undefined, start = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const values: Record<string, string> = {
    sport: sport.charAt(0).toUpperCase() + sport.slice(1),
    date: `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}`,
    time: `${pad(start.getHours())}:${pad(start.getMinutes())}`,
    file: source?.kind === 'file' ? basename(source.path) : 'gpsd',
    device: '',
  };
  const withTime = template.includes('{time}') ? template : `${template} {time}`;
  return withTime.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole).replace(/\s+/g, ' ').trim();
}
