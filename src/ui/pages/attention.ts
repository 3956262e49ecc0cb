import type { FileRecord } from '../../journal/rows.js';
import { NOT_BEFORE_KEY } from '../../queue/uploader.js';
import { relative, time } from './format.js';
import { html, nothing, type Html } from './html.js';
import { actionButton, csrfField, type Page, type PageEnv } from './layout.js';

const LIST_LIMIT = 200;

function nextTry(record: FileRecord, env: PageEnv, notBefore: number): Html {
  if (record.state === 'uploading') return html`uploading now`;
  const at = Math.max(record.nextAttemptAt ?? 0, notBefore);
  if (at <= env.now) return html`next try: as soon as an upload slot is free`;
  return html`next try ${time(at, env.locale)} (${relative(at, env.now)})`;
}

function row(record: FileRecord, env: PageEnv, body: Html, actions: Html): Html {
  return html`<li class="file" data-id="${record.id}">
<div class="what"><a href="/activity/${record.id}" class="name">${record.relPath}</a> <span class="mono small">#${record.id}</span>
<p class="mono small path">${record.path}</p>${body}</div>
<div class="actions">${actions}</div></li>`;
}

/** Failed uploads and what still waits, each with why, and what can be done about it. */
export async function attentionPage(env: PageEnv): Promise<Page> {
  const login = await env.account.loginView();
  const { lists, notBefore } = env.data.journal((j) => ({ lists: j.views.attention(LIST_LIMIT), notBefore: Number(j.getMeta(NOT_BEFORE_KEY) ?? 0) }));
  const failed = lists.failed.map((r) =>
    row(
      r,
      env,
      html`<p class="reason bad">${r.lastError ?? r.reason ?? 'failed'}</p><p class="small">${r.attempts} attempt${r.attempts === 1 ? '' : 's'}, last ${time(r.updatedAt, env.locale)}</p>`,
      html`${actionButton(env, 'retry', r.id, 'Retry now', 'Back in the queue now, attempts counted from zero (mmt-sync retry)')}${actionButton(env, 'forget', r.id, 'Forget', 'The journal forgets this upload and takes the file as new (mmt-sync forget --force)')}`,
    ),
  );
  const waiting = lists.waiting.map((r) =>
    row(
      r,
      env,
      html`<p class="reason">${r.lastError ? html`<span class="warn">${r.lastError}</span>` : r.attempts ? '' : 'new, not tried yet'}</p><p class="small">${nextTry(r, env, notBefore)}${r.attempts ? `, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'} so far` : ''}</p>`,
      nothing,
    ),
  );
  const daemon = env.data.daemon();
  // Only the daemon's own dashboard can wake its uploader; a daemon with nothing queued sleeps until it has something new.
  const daemonNote =
    daemon.running && !daemon.servingThis && lists.failedTotal > 0
      ? html`<p class="hint">The background service runs separately from this page: what you retry here is queued, and goes up with <code>mmt-sync sync</code> or when the service next has something new to send. With <code>ui.enabled: true</code> its own dashboard sends it at once.</p>`
      : '';
  const more = (shown: number, total: number) => (total > shown ? html`<p class="hint">and ${total - shown} more (\`mmt-sync status --json\` lists them all)</p>` : '');
  const loginNote =
    login.state !== 'logged-in' && lists.waitingTotal > 0
      ? html`<p class="bad">Uploads are paused until you log in. <form method="post" action="/login" target="_blank" class="inline">${csrfField(env)}<button type="submit" class="primary">Log in</button></form></p>`
      : '';
  return {
    title: 'Needs attention',
    section: 'attention',
    main: html`<h1>Needs attention</h1>${loginNote}${daemonNote}
<section aria-labelledby="failed-h"><h2 id="failed-h">Failed <span class="count">${lists.failedTotal}</span></h2>
${failed.length ? html`<ul class="files">${failed}</ul>${more(failed.length, lists.failedTotal)}` : html`<p class="ok">Nothing failed.</p>`}</section>
<section aria-labelledby="waiting-h"><h2 id="waiting-h">Waiting <span class="count">${lists.waitingTotal}</span></h2>
${waiting.length ? html`<ul class="files">${waiting}</ul>${more(waiting.length, lists.waitingTotal)}` : html`<p class="ok">Nothing waits.</p>`}</section>`,
  };
}
