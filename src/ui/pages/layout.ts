import type { Config } from '../../config/schema.js';
import type { AccountBridge } from '../account-bridge.js';
import type { DashboardData } from '../dashboard-data.js';
import type { Units } from './format.js';
import { html, type Html } from './html.js';

/** Everything a page needs to render for one request. */
export interface PageEnv {
  readonly data: DashboardData;
  readonly account: AccountBridge;
  readonly config: Config;
  /** The requested path and query: where forms send the browser back to. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly csrf: string;
  readonly units: Units;
  readonly locale: string;
  readonly now: number;
}

export type Section = 'overview' | 'activities' | 'attention' | 'live';

export interface Page {
  readonly title: string;
  readonly section: Section | undefined;
  readonly main: Html;
  /** How many files need the user (shown in the navigation). */
  readonly status?: number;
}

const SECTIONS: ReadonlyArray<[Section, string, string]> = [
  ['overview', '/', 'Overview'],
  ['activities', '/activities', 'Activities'],
  ['attention', '/attention', 'Needs attention'],
  ['live', '/live', 'Live'],
];

export function layout(page: Page, env: PageEnv, attention: number): Html {
  const nav = SECTIONS.map(([section, href, label]) => {
    const badge = section === 'attention' && attention > 0 ? html` <span class="badge" aria-label="${attention} files">${attention}</span>` : '';
    return html`<li><a href="${href}"${page.section === section ? html` aria-current="page"` : ''}>${label}${badge}</a></li>`;
  });
  const other: Units = env.units === 'km' ? 'mi' : 'km';
  return html`<!doctype html>
<html lang="${env.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${page.title} · mmt-sync</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
<script src="/static/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/">mmt-sync</a>
<nav aria-label="Sections"><ul>${nav}</ul></nav>
</header>
<main id="main" tabindex="-1">${page.main}</main>
<footer class="foot">
<form method="post" action="/units" class="units">
${csrfField(env)}<input type="hidden" name="back" value="${env.path}"><input type="hidden" name="units" value="${other}">
<span>Distances in ${env.units}.</span> <button type="submit" class="link">Show ${other}</button>
</form>
<span class="live-status" id="live-status" role="status" aria-live="polite"></span>
</footer>
</body>
</html>
`;
}

export function csrfField(env: PageEnv): Html {
  return html`<input type="hidden" name="csrf" value="${env.csrf}">`;
}

/** A button that posts one action about one file, then comes back to this page. */
export function actionButton(env: PageEnv, action: 'retry' | 'forget', id: number, label: string, hint: string): Html {
  return html`<form method="post" action="/${action}" class="inline">${csrfField(env)}<input type="hidden" name="id" value="${id}"><input type="hidden" name="back" value="${env.path}"><button type="submit" title="${hint}">${label}</button></form>`;
}
