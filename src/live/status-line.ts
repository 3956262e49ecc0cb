/** The one-line status a terminal shows during `mmt-sync live` (pure: the command draws it). */
import type { LiveStatus } from './runner.js';

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

export function formatStatus(status: LiveStatus, now = Date.now()): string {
  const parts = [
    status.activityId ? `activity ${status.activityId}` : 'activity not started',
    `${status.sent} sent`,
    `${status.buffered} buffered`,
    status.lastFixAt === undefined ? 'no fix yet' : `last fix ${age(now - status.lastFixAt)} ago`,
  ];
  if (status.phase === 'finishing') parts.push('finishing');
  if (status.retrying) parts.push(`retrying: ${status.retrying}`);
  return `live · ${parts.join(' · ')}`;
}
