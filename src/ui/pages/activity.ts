import type { FileRecord } from '../../journal/rows.js';
import { distance, duration, paceOrSpeed, sportLabel, time } from './format.js';
import { html, nothing, type Html } from './html.js';
import { actionButton, type Page, type PageEnv } from './layout.js';
import { displayName, drawing, mmtLink, repairedFlag, stateBadge } from './activity-parts.js';

function summary(record: FileRecord, env: PageEnv): Html {
  const device = [record.device?.manufacturer, record.device?.product].filter(Boolean).join(' ');
  const speed = paceOrSpeed(record.distanceM, record.durationS, record.activityType ?? record.sport, env.units);
  const entry = (term: string, value: Html | string | number | null | undefined) => (value === null || value === undefined || value === '' ? '' : html`<dt>${term}</dt><dd>${value}</dd>`);
  return html`<dl class="facts-list">
${entry('Started', time(record.start ?? record.mtimeMs, env.locale))}
${entry('Sport', `${sportLabel(record.activityType, record.sport)}${record.sport && record.activityType && record.sport !== record.activityType ? ` (file says ${record.sport})` : ''}`)}
${entry('Distance', distance(record.distanceM, env.units))}
${entry('Duration', duration(record.durationS))}
${entry(speed?.includes('/') ? 'Pace' : 'Speed', speed)}
${entry('Track points', record.points !== null ? `${record.points} (${record.positions ?? 0} with a position)` : null)}
${entry('Device', device ? `${device}${record.device?.serial ? ` (serial ${record.device.serial})` : ''}` : null)}
${entry('File', html`<span class="mono small">${record.path}</span>`)}
${entry('Format', `${(record.format ?? '?').toUpperCase()}, ${(record.size / 1024).toFixed(1)} kB${record.uploadFormat && record.uploadFormat !== record.format ? `, uploaded as ${record.uploadFormat.toUpperCase()}` : ''}`)}
${entry('Verdict', `${record.verdict ?? '—'}: ${record.reason ?? ''}`)}
${record.problems.length ? entry('Problems found', html`<ul>${record.problems.map((p) => html`<li>${p}</li>`)}</ul>`) : ''}
${entry('On the site', record.state === 'uploaded' ? mmtLink(record, env) : 'not yet')}
</dl>`;
}

function history(record: FileRecord, env: PageEnv): Html {
  const events = env.data.journal((j) => j.views.history(record.id));
  const rows = [
    html`<tr><td>${time(record.firstSeenAt, env.locale, 'precise')}</td><td>seen</td><td class="mono small">${record.relPath}</td></tr>`,
    ...events.map((e) => html`<tr><td>${time(e.at, env.locale, 'precise')}</td><td>${e.state}</td><td>${e.note ?? ''}</td></tr>`),
  ];
  return html`<div class="scroll"><table class="history"><thead><tr><th scope="col">When</th><th scope="col">Became</th><th scope="col">Note</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function actions(record: FileRecord, env: PageEnv): Html {
  if (record.state === 'failed') {
    return html`<div class="actions">${actionButton(env, 'retry', record.id, 'Retry now', 'Back in the queue now (mmt-sync retry)')}${actionButton(env, 'forget', record.id, 'Forget', 'Take the file as new (mmt-sync forget --force)')}</div>`;
  }
  if (record.state === 'uploaded' || record.state === 'duplicate') {
    return html`<div class="actions">${actionButton(env, 'forget', record.id, 'Upload again', 'For an activity deleted on the site: the journal forgets the upload (mmt-sync forget)')}</div>`;
  }
  return nothing;
}

/** One file: the larger drawing, what mmt-sync made of it, and everything that happened to it. */
export async function activityPage(env: PageEnv, id: number): Promise<Page | undefined> {
  const record = env.data.journal((j) => j.get(id));
  if (!record) return undefined;
  const name = displayName(record, env.config);
  return {
    title: name,
    section: undefined,
    main: html`<p class="crumbs"><a href="/activities">← Activities</a></p>
<h1>${name} ${stateBadge(record)}</h1>
${repairedFlag(record)}
${record.lastError && record.state !== 'uploaded' ? html`<p class="bad">${record.lastError}</p>` : ''}
<div class="split"><figure class="drawing">${drawing(record, 'large', name)}</figure>${summary(record, env)}</div>
${actions(record, env)}
<section aria-labelledby="history-h"><h2 id="history-h">History</h2>${history(record, env)}</section>`,
  };
}
