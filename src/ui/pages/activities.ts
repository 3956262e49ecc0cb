import { html } from './html.js';
import { activityCard } from './activity-parts.js';
import type { Page, PageEnv } from './layout.js';

export const PAGE_SIZE = 50;

/** What went up (and what is on its way), newest first, a page at a time. */
export async function activitiesPage(env: PageEnv): Promise<Page> {
  const requested = Number(env.query.get('page') ?? '1');
  const { total, rows, page, pages } = env.data.journal((j) => {
    const count = j.views.activities(0, 0).total;
    const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
    const page = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, pages) : 1;
    return { ...j.views.activities((page - 1) * PAGE_SIZE, PAGE_SIZE), page, pages };
  });
  const pager =
    pages > 1
      ? html`<nav class="pager" aria-label="Pages">
${page > 1 ? html`<a href="/activities?page=${page - 1}" rel="prev">← Newer</a>` : html`<span></span>`}
<span>Page ${page} of ${pages}</span>
${page < pages ? html`<a href="/activities?page=${page + 1}" rel="next">Older →</a>` : html`<span></span>`}
</nav>`
      : '';
  const list = rows.length
    ? html`<ol class="activities">${rows.map((r) => activityCard(r, env))}</ol>`
    : html`<p>Nothing uploaded yet. Plug in your watch, or run <code>mmt-sync sync</code>.</p>`;
  return {
    title: page > 1 ? `Activities, page ${page}` : 'Activities',
    section: 'activities',
    main: html`<h1>Activities <span class="count">${total}</span></h1>${pager}${list}${pager}`,
  };
}
