import { activityUrl } from '../../api/activity-url.js';
import { decodePolyline } from '../../formats/polyline/codec.js';
import type { FileRecord } from '../../journal/rows.js';
import { displayName, uploadType } from '../../queue/naming.js';
import { distance, duration, sportLabel, time } from './format.js';
import { html, nothing, type Html } from './html.js';
import type { PageEnv } from './layout.js';
import { trackSvg } from './track-svg.js';

export { displayName } from '../../queue/naming.js';

const STATE_LABELS: Partial<Record<FileRecord['state'], string>> = {
  queued: 'waiting',
  uploading: 'uploading',
  failed: 'failed',
  duplicate: 'duplicate',
  skipped: 'skipped',
  baseline: 'not uploaded (older than the backfill window)',
};

export function stateBadge(record: FileRecord): Html {
  const label = STATE_LABELS[record.state];
  return label ? html`<span class="badge state-${record.state}">${label}</span>` : nothing;
}

/** A repaired upload is never silently accepted: the flag and its reason stay visible. */
export function repairedFlag(record: FileRecord): Html {
  if (record.verdict !== 'repair') return nothing;
  return html`<p class="repaired"><span class="badge state-repaired">repaired</span> <span class="reason">${record.reason}</span></p>`;
}

export function mmtLink(record: FileRecord, env: PageEnv): Html {
  if (record.state !== 'uploaded' || !record.remoteId) return nothing;
  return html`<a class="mmt" href="${activityUrl(env.config.api.activityUrl, record.remoteId)}" target="_blank" rel="noopener noreferrer">Map My Tracks activity ${record.remoteId}<span class="sr-only"> (opens in a new tab)</span></a>`;
}

export function facts(record: FileRecord, env: PageEnv): Html {
  return html`<span>${sportLabel(uploadType(record, env.config) ?? null, record.sport)}</span> · <span>${distance(record.distanceM, env.units)}</span> · <span>${duration(record.durationS)}</span>`;
}

export function drawing(record: FileRecord, size: 'thumb' | 'large', name: string): Html {
  const box = size === 'thumb' ? { width: 160, height: 110, className: 'track thumb' } : { width: 800, height: 520, className: 'track large' };
  return trackSvg(decodePolyline(record.polyline), { ...box, label: `Track of ${name}` });
}

export function activityCard(record: FileRecord, env: PageEnv): Html {
  const name = displayName(record, env.config);
  return html`<li class="activity" data-id="${record.id}">
<a class="thumb-link" href="/activity/${record.id}" tabindex="-1" aria-hidden="true">${drawing(record, 'thumb', name)}</a>
<div class="about">
<h2><a href="/activity/${record.id}">${name}</a> ${stateBadge(record)}</h2>
<p class="when">${time(record.start ?? record.mtimeMs, env.locale)}</p>
<p class="facts">${facts(record, env)}</p>
${repairedFlag(record)}
${record.state === 'failed' ? html`<p class="bad small">${record.lastError ?? 'failed'} (<a href="/attention">Needs attention</a>)</p>` : nothing}
${mmtLink(record, env)}
</div>
</li>`;
}
