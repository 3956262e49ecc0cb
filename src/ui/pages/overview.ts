import { existsSync } from 'node:fs';
import { sourcesInEffect } from '../../sources/in-effect.js';
import type { LoginView } from '../account-bridge.js';
import { relative, time } from './format.js';
import { html, type Html } from './html.js';
import { csrfField, type Page, type PageEnv } from './layout.js';

interface LastSync {
  readonly at: string;
  readonly uploaded: number;
  readonly alreadyThere: number;
  readonly failed: number;
  readonly pending: number;
}

function loginCard(env: PageEnv, login: LoginView): Html {
  const state =
    login.state === 'logged-in'
      ? html`<p class="ok">Logged in to <span class="mono">${login.server}</span>.</p>`
      : login.state === 'login-required'
        ? html`<p class="bad">Login required: ${login.reason}. Uploads wait until you log in again.</p>`
        : login.state === 'unreadable'
          ? html`<p class="bad">The ${login.tokenStore} cannot be read: ${login.reason}</p>`
          : html`<p class="bad">Not logged in. Nothing is uploaded until you are.</p>`;
  const button =
    login.state === 'logged-in'
      ? ''
      : html`<form method="post" action="/login" target="_blank" class="login">${csrfField(env)}<button type="submit" class="primary">Log in</button>
<span class="hint">Map My Tracks opens in a new tab; approve mmt-sync there and this page updates by itself.</span></form>`;
  return html`<section class="card" aria-labelledby="login-h"><h2 id="login-h">Account</h2>${state}
${login.pending ? html`<p class="hint">Waiting for you to approve mmt-sync in the other tab…</p>` : ''}
${login.lastError ? html`<p class="bad">The last login did not complete: ${login.lastError}</p>` : ''}
${button}
<p class="hint">Tokens are kept in the ${login.tokenStore}${login.accessTokenExpiresAt ? html`; the access token renews itself (next ${time(login.accessTokenExpiresAt, env.locale, 'time')})` : ''}.</p></section>`;
}

export async function overviewPage(env: PageEnv): Promise<Page> {
  const login = await env.account.loginView();
  const daemon = env.data.daemon();
  const [counts, lastSyncText, tallies, known] = env.data.journal((j) => [j.counts(), j.getMeta('last_sync'), j.views.sources(), { counts: j.fileCountsBySource(), known: j.knownSources() }] as const);
  const lastSync = lastSyncText ? (JSON.parse(lastSyncText) as LastSync) : undefined;
  // The same listing as `mmt-sync sources`: what is in effect now, and watches seen before.
  const listed = sourcesInEffect(await env.data.sources(), known, existsSync);
  const tallyById = new Map(tallies.map((t) => [t.id, t]));
  const waiting = counts.queued + counts.uploading;

  const daemonLine = daemon.running
    ? html`<p class="ok">The background service is running${daemon.pid ? html` (pid ${daemon.pid})` : ''}${daemon.servingThis ? ' and serving this page' : ''}: new files go up as they appear.</p>`
    : html`<p class="warn">The background service is not running: files go up when you run <code>mmt-sync sync</code>, or start it with <code>mmt-sync service install</code>.</p>`;
  const paused = login.state !== 'logged-in' && waiting > 0 ? html`<p class="bad">${waiting} uploads wait for a login.</p>` : '';
  const sync = lastSync
    ? html`<p>Last sync ${time(lastSync.at, env.locale)} (${relative(Date.parse(lastSync.at), env.now)}): ${lastSync.uploaded} uploaded, ${lastSync.alreadyThere} already there, ${lastSync.failed} failed, ${lastSync.pending} pending.</p>`
    : html`<p>No sync has uploaded anything yet.</p>`;

  const tiles: ReadonlyArray<[string, number, string | undefined]> = [
    ['uploaded', counts.uploaded, '/activities'],
    ['waiting', waiting, '/attention'],
    ['failed', counts.failed, '/attention'],
    ['skipped (not activities)', counts.skipped, undefined],
    ['duplicates', counts.duplicate, undefined],
    ['older than the backfill window', counts.baseline, undefined],
  ];
  const tileHtml = tiles.map(([label, n, href]) =>
    href ? html`<li><a href="${href}"><strong>${n}</strong> ${label}</a></li>` : html`<li><strong>${n}</strong> ${label}</li>`,
  );

  const rows = listed.map((source) => {
    const tally = tallyById.get(source.id);
    const kind = source.kind === 'device' ? `Watch${source.device?.transport === 'mtp' ? ' (MTP)' : ''}` : source.kind === 'app' ? 'App' : source.app ? `Folder (${source.app.name})` : 'Folder';
    const now = source.present ? 'present' : html`<span class="warn">${source.kind === 'device' ? 'not connected' : 'missing'}</span>`;
    const about = [source.foundBy, ...source.behaviour].filter((t): t is string => Boolean(t));
    return html`<tr><td>${kind}</td><td><span class="label">${source.label}</span>${source.root && source.label !== source.root ? html`<br><span class="mono small">${source.root}</span>` : ''}${about.map((t) => html`<br><span class="hint">${t}</span>`)}</td>
<td>${now}</td><td>${source.lastScan ? time(source.lastScan, env.locale) : 'never'}</td>
<td class="num">${tally?.uploaded ?? 0}</td><td class="num">${tally?.waiting ?? 0}</td><td class="num">${tally?.failed ?? 0}</td></tr>`;
  });
  const sourcesHtml = listed.length
    ? html`<div class="scroll"><table><thead><tr><th scope="col">Kind</th><th scope="col">Source</th><th scope="col">Now</th><th scope="col">Last scan</th><th scope="col" class="num">Up</th><th scope="col" class="num">Waiting</th><th scope="col" class="num">Failed</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p>No source right now: plug in a watch, or add folders under <code>sources:</code> in the config.</p>`;

  return {
    title: 'Overview',
    section: 'overview',
    main: html`<h1>Overview</h1>
<div class="grid">
${loginCard(env, login)}
<section class="card" aria-labelledby="sync-h"><h2 id="sync-h">Syncing</h2>${daemonLine}${paused}${sync}</section>
</div>
<section aria-labelledby="files-h"><h2 id="files-h">Files</h2><ul class="tiles">${tileHtml}</ul></section>
<section aria-labelledby="sources-h"><h2 id="sources-h">Devices and folders present now</h2>${sourcesHtml}</section>`,
  };
}
