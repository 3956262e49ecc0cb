/**
 * What a desktop notification about a sync says. Pure: a sync outcome in, a title and a
 * body out (or nothing, when there is nothing worth interrupting anyone for).
 */
import { basename } from 'node:path';
import { redact } from '../redact.js';

/** The part of a sync's summary a notification needs (`SyncSummary` has it). */
export interface SyncOutcome {
  readonly uploaded: number;
  readonly failed: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
  readonly loginRequired: boolean;
}

export interface Notice {
  readonly title: string;
  /** Plain text, possibly several lines. Each backend escapes it for itself. */
  readonly body: string;
  readonly urgency: 'low' | 'normal' | 'critical';
}

const MAX_FAILURES_SHOWN = 3;
const MAX_LINE = 160;

/** One line of text that came from outside (file names, server messages): no control characters, no secrets, bounded. */
export function cleanLine(text: string, max = MAX_LINE): string {
  const line = redact(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Undefined when the sync did nothing of note: a quiet periodic run makes no noise. */
export function syncNotice(outcome: SyncOutcome): Notice | undefined {
  const failed = outcome.failed.length;
  if (outcome.loginRequired) {
    const lines = ['Uploads are paused until you log in again: run `mmt-sync login`.'];
    if (outcome.uploaded) lines.push(`${plural(outcome.uploaded, 'activity was', 'activities were')} uploaded before that.`);
    return { title: 'mmt-sync: login required', body: lines.join('\n'), urgency: 'critical' };
  }
  if (!outcome.uploaded && !failed) return undefined;
  const title = outcome.uploaded
    ? `mmt-sync: ${plural(outcome.uploaded, 'activity', 'activities')} uploaded${failed ? `, ${failed} failed` : ''}`
    : `mmt-sync: ${plural(failed, 'upload', 'uploads')} failed`;
  const lines = outcome.failed.slice(0, MAX_FAILURES_SHOWN).map((f) => cleanLine(`${basename(f.file)}: ${f.reason}`));
  if (failed > MAX_FAILURES_SHOWN) lines.push(`and ${failed - MAX_FAILURES_SHOWN} more (mmt-sync status)`);
  if (!failed) lines.push('to Map My Tracks');
  return { title: cleanLine(title), body: lines.join('\n'), urgency: failed ? 'normal' : 'low' };
}
