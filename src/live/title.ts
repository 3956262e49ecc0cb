/** The title of a new live activity when the user gives none. */
import { basename } from 'node:path';
import { fillNameTemplate } from '../config/name-template.js';
import type { LiveSourceSpec } from './source.js';

/**
 * The upload name template ({sport} {date} {time} {file} {device}), with the
 * start time added when the template has none: a retried or resumed
 * startActivity finds its activity by title, so titles of two sessions on one
 * day should differ.
 */
export function liveTitle(template: string, sport: string, source: LiveSourceSpec | undefined, start = new Date()): string {
  const withTime = template.includes('{time}') ? template : `${template} {time}`;
  return fillNameTemplate(withTime, { sport, start, file: source?.kind === 'file' ? basename(source.path) : 'gpsd', device: '' });
}
