import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { redact } from '../redact.js';
import type { Access, Session } from './access.js';
import type { AccountBridge } from './account-bridge.js';
import type { Asset } from './assets.js';
import type { ChangeFeed } from './change-feed.js';
import type { DashboardData } from './dashboard-data.js';
import { hostAllowed, localPath, sameOrigin, securityHeaders } from './guard.js';
import { cookies, readForm, redirect, send, sendText } from './http.js';
import { activitiesPage } from './pages/activities.js';
import { activityPage } from './pages/activity.js';
import { attentionPage } from './pages/attention.js';
import { localeFor, unitsFor } from './pages/format.js';
import { layout, type Page, type PageEnv } from './pages/layout.js';
import { livePage } from './pages/live.js';
import { messagePage } from './pages/message.js';
import { overviewPage } from './pages/overview.js';

export interface RouteContext {
  readonly port: number;
  readonly access: Access;
  readonly data: DashboardData;
  readonly account: AccountBridge;
  readonly feed: ChangeFeed;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly config: () => Config;
  readonly log: Logger;
  /** A button changed the queue: count it as a change and tell whoever uploads. */
  readonly queueChanged: () => void;
}

const UNITS_COOKIE = 'mmt_sync_units';

/**
 * Every request, in order: Host (DNS rebinding), then static files (public code, no
 * data), then the one-time token or the session cookie, then for anything that changes
 * state the Origin and the CSRF token. Only the path is ever logged, never the query.
 */
export function createHandler(ctx: RouteContext): (req: IncomingMessage, res: ServerResponse) => void {
  const sessionCookie = `mmt_sync_${ctx.port}`;
  const headers = () => securityHeaders(ctx.account.authorizeOrigin);

  const page = async (req: IncomingMessage, res: ServerResponse, session: Session, url: URL, render: (env: PageEnv) => Promise<Page | undefined>) => {
    const config = ctx.config();
    const jar = cookies(req);
    const env: PageEnv = {
      data: ctx.data,
      account: ctx.account,
      config,
      path: localPath(url.pathname + url.search),
      query: url.searchParams,
      csrf: session.csrf,
      units: unitsFor(jar.get(UNITS_COOKIE), config.ui.units, req.headers['accept-language']),
      locale: localeFor(req.headers['accept-language']),
      now: Date.now(),
    };
    const result = await render(env);
    const failed = ctx.data.journal((j) => j.counts().failed);
    const body = result ? layout(result, env, failed) : layout(messagePage('Not found', 'There is no such page or file here.'), env, failed);
    send(res, result ? 200 : 404, 'text/html; charset=utf-8', body.text, { ...headers(), 'Cache-Control': 'no-store' });
  };

  const unauthorized = (res: ServerResponse, why: string) =>
    send(res, 401, 'text/html; charset=utf-8', messagePage('Open the dashboard from its link', why).standalone, { ...headers(), 'Cache-Control': 'no-store' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host, ctx.port)) return sendText(res, 403, 'refused: wrong Host header (only 127.0.0.1 or localhost with this port)');
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return sendText(res, 405, 'method not allowed');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);

    if (url.pathname.startsWith('/static/') && method !== 'POST') {
      const asset = ctx.assets.get(url.pathname.slice('/static/'.length));
      if (!asset) return sendText(res, 404, 'not found');
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304, { ETag: asset.etag, 'Cache-Control': 'no-cache' }).end();
        return;
      }
      return send(res, 200, asset.type, asset.body, { ...headers(), ETag: asset.etag, 'Cache-Control': 'no-cache' });
    }

    const token = url.searchParams.get('token');
    if (token !== null && method === 'GET') {
      const redeemed = ctx.access.redeem(token);
      if ('refused' in redeemed) {
        const why = { used: 'This link was already used: each link opens one browser once.', expired: 'This link has expired.', malformed: 'This link is not valid for this dashboard.' }[redeemed.refused];
        return unauthorized(res, `${why} Run \`mmt-sync ui --print-url\` for a new one.`);
      }
      url.searchParams.delete('token');
      ctx.data.warm();
      // The token leaves the URL at once; from now on the cookie alone opens the door.
      return redirect(res, localPath(url.pathname + url.search), { 'Set-Cookie': `${sessionCookie}=${redeemed.session.id}; HttpOnly; SameSite=Strict; Path=/` });
    }
    const session = ctx.access.session(cookies(req).get(sessionCookie));
    if (!session) return unauthorized(res, 'Run `mmt-sync ui` (or `mmt-sync ui --print-url` while it runs) and open the link it prints.');

    if (method === 'POST') return post(req, res, session, url);
    const activity = /^\/activity\/(\d{1,12})$/.exec(url.pathname);
    if (activity) return page(req, res, session, url, (env) => activityPage(env, Number(activity[1])));
    switch (url.pathname) {
      case '/':
        return page(req, res, session, url, overviewPage);
      case '/activities':
        return page(req, res, session, url, activitiesPage);
      case '/attention':
        return page(req, res, session, url, attentionPage);
      case '/live':
        return page(req, res, session, url, livePage);
      case '/events':
        if (!ctx.feed.add(res, headers())) sendText(res, 503, 'too many open pages');
        return;
      default:
        return page(req, res, session, url, async () => undefined);
    }
  };

  const post = async (req: IncomingMessage, res: ServerResponse, session: Session, url: URL): Promise<void> => {
    if (!sameOrigin(req)) {
      req.resume();
      return sendText(res, 403, 'refused: a change must come from a page of this dashboard (Origin)');
    }
    const form = await readForm(req);
    if (!form) return sendText(res, 413, 'form too large');
    if (!ctx.access.csrfMatches(session, form.get('csrf') ?? req.headers['x-csrf-token']?.toString())) {
      return sendText(res, 403, 'refused: missing or wrong CSRF token (reload the page)');
    }
    const back = localPath(form.get('back'));
    const id = Number(form.get('id'));
    switch (url.pathname) {
      case '/retry':
        if (Number.isInteger(id)) ctx.data.journal((j) => j.retryFailed(id));
        ctx.queueChanged();
        return redirect(res, back);
      case '/forget': {
        const forgettable = ['uploaded', 'duplicate', 'failed'];
        if (Number.isInteger(id)) ctx.data.journal((j) => forgettable.includes(j.get(id)?.state ?? '') && j.forget(id));
        ctx.queueChanged();
        return redirect(res, back);
      }
      case '/units': {
        const units = form.get('units') === 'mi' ? 'mi' : 'km';
        return redirect(res, back, { 'Set-Cookie': `${UNITS_COOKIE}=${units}; SameSite=Strict; Path=/; Max-Age=31536000` });
      }
      case '/login':
        try {
          return redirect(res, await ctx.account.startBrowserLogin());
        } catch {
          // Why it did not start (no client id, …) is on the overview.
          return redirect(res, '/');
        }
      default:
        return sendText(res, 404, 'not found');
    }
  };

  return (req, res) => {
    handle(req, res)
      .catch((error: unknown) => {
        ctx.log.error(`dashboard: ${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}: ${(error as Error).message}`);
        if (!res.headersSent) sendText(res, 500, redact(`mmt-sync could not answer: ${(error as Error).message}`));
        else res.end();
      })
      .finally(() => ctx.log.debug(`dashboard: ${req.method} ${new URL(req.url ?? '/', 'http://x').pathname} ${res.statusCode}`));
  };
}
