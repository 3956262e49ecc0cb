/** The sandbox's few HTML pages. Every interpolated value goes through escapeHtml. */
import { escapeHtml } from './http.js';
import type { Activity } from './model.js';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}
button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.5rem}code{background:#f3f3f3;padding:0 .2rem}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
}

/** Approve / Deny; the form posts back to the very URL it was served from, query string included. */
export function authorizePage(formAction: string, redirectUri: string): string {
  return page(
    'Authorize mmt-sync — Map My Tracks sandbox',
    `<h1>Map My Tracks sandbox</h1>
<p><strong>mmt-sync</strong> wants to upload activities to your account.</p>
<p>After your answer you return to <code>${escapeHtml(redirectUri)}</code>.</p>
<form method="post" action="${escapeHtml(formAction)}">
<p><label>Account <input name="account" value="sandbox-user" pattern="[A-Za-z0-9._@\\-]{1,64}" required></label></p>
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form>`,
  );
}

/** Shown instead of a redirect when the client or the redirect URI cannot be trusted (RFC 6749 §4.1.2.1). */
export function errorPage(message: string): string {
  return page('Authorization error — Map My Tracks sandbox', `<h1>Authorization error</h1><p>${escapeHtml(message)}</p>`);
}

export function indexPage(activities: readonly Activity[], baseUrl: string): string {
  const rows = activities
    .map((a) => {
      const detail =
        a.kind === 'file'
          ? `${a.format.toUpperCase()}, ${a.bytes} bytes — <a href="/sandbox/files/${a.id}">download</a>`
          : `live (${a.state}), ${a.loc.length} points`;
      return `<tr><td>${a.id}</td><td>${escapeHtml(a.account)}</td><td>${escapeHtml(a.name ?? '')}</td>
<td>${escapeHtml(a.type ?? '')}</td><td>${escapeHtml(a.status)}</td><td>${detail}</td><td>${escapeHtml(a.receivedAt)}</td></tr>`;
    })
    .join('\n');
  return page(
    'Map My Tracks sandbox',
    `<h1>Map My Tracks sandbox</h1>
<p>API base URL: <code>${escapeHtml(baseUrl)}</code>. JSON: <a href="/sandbox/activities">activities</a>,
<a href="/sandbox/stats">stats</a>.</p>
<h2>${activities.length} ${activities.length === 1 ? 'activity' : 'activities'}</h2>
${
  activities.length === 0
    ? '<p>Nothing uploaded yet.</p>'
    : `<table><tr><th>id</th><th>account</th><th>name</th><th>type</th><th>status</th><th>what</th><th>received</th></tr>
${rows}</table>`
}`,
  );
}
