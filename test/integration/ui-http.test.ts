/**
 * The dashboard's doors, tested with raw HTTP against the built CLI (no browser rules to
 * help): Host, token, session cookie, Origin and CSRF; the handoff file behind
 * `--print-url`; and that no token, session id or CSRF token reaches a log line.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { readStats } from '../../src/sandbox/testkit.js';
import { makeHome, runCli, startCli } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { csrfOf, openSession, rawRequest, startUi } from '../helpers/ui.js';
import { waitFor } from '../helpers/wait.js';

const API = { baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'ui-test', clientSecret: 'ui-test-secret' };

describe('mmt-sync ui over raw HTTP', () => {
  it('answers only its own Host, 401 without token or session, takes each token once, 403 for a change without CSRF token or from another Origin, and logs no secret', async () => {
    const home = makeHome(API);
    // -v: every request is logged (its path), so a token in a log line would show.
    const ui = await startUi(home, ['-v']);
    const secrets: string[] = [ui.url.searchParams.get('token')!];
    try {
      const { port } = ui;
      expect(ui.url.hostname).toBe('127.0.0.1');
      const handoff = join(home.stateDir, 'ui.json');
      expect(statSync(handoff).mode & 0o777).toBe(0o600);

      // DNS rebinding: another name for this address, or no port, is refused before anything else.
      for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, `[::1]:${port}`]) {
        const refused = await rawRequest(port, { path: `/${ui.url.search}`, headers: { Host: host } });
        expect(refused.status, host).toBe(403);
      }
      // No token, no session: 401, on pages, the event stream and actions alike.
      for (const path of ['/', '/activities', '/attention', '/live', '/activity/1', '/events']) {
        expect((await rawRequest(port, { path })).status, path).toBe(401);
      }
      expect((await rawRequest(port, { path: '/', headers: { Host: `localhost:${port}` } })).status).toBe(401);
      expect((await rawRequest(port, { path: '/?token=1.2.3' })).status).toBe(401);
      // Static files are public code, and served with the same headers.
      const css = await rawRequest(port, { path: '/static/app.css' });
      expect(css.status).toBe(200);
      expect(css.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'/);

      // The token: redeemed once, it becomes an HttpOnly SameSite=Strict cookie and leaves the URL.
      const redeemed = await rawRequest(port, { path: `/activities${ui.url.search}` });
      expect(redeemed.status).toBe(303);
      expect(redeemed.headers.location).toBe('/activities');
      const setCookie = [redeemed.headers['set-cookie']].flat()[0]!;
      expect(setCookie).toMatch(new RegExp(`^mmt_sync_${port}=[\\w-]{40,}; HttpOnly; SameSite=Strict; Path=/$`));
      const cookie = setCookie.split(';')[0]!;
      secrets.push(cookie.split('=')[1]!);
      expect((await rawRequest(port, { path: `/${ui.url.search}` })).status, 'a used token').toBe(401);

      const page = await rawRequest(port, { path: '/attention', headers: { Cookie: cookie } });
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toContain("default-src 'none'");
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.body).not.toMatch(/<script>|<script(?![^>]*src="\/static\/app\.js")/); // no inline script
      for (const secret of secrets) expect(page.body).not.toContain(secret);
      const csrf = csrfOf(page.body);
      secrets.push(csrf);

      // Changes: same-origin Origin AND the session's CSRF token, or 403.
      const origin = `http://127.0.0.1:${port}`;
      const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
      const post = (headers: Record<string, string>, body: string) =>
        rawRequest(port, { method: 'POST', path: '/retry', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie, ...headers }, body });
      expect((await post({ Origin: origin }, form({ id: '1' }))).status, 'no CSRF token').toBe(403);
      expect((await post({ Origin: origin }, form({ id: '1', csrf: `${csrf}x` }))).status, 'a wrong CSRF token').toBe(403);
      expect((await post({ Origin: 'http://evil.example' }, form({ id: '1', csrf }))).status, 'a foreign Origin').toBe(403);
      expect((await post({ Origin: `http://localhost:${port + 1}` }, form({ id: '1', csrf }))).status, 'another port').toBe(403);
      expect((await post({}, form({ id: '1', csrf }))).status, 'no Origin').toBe(403);
      const done = await post({ Origin: origin }, form({ id: '1', csrf, back: '/attention' }));
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/attention');
      expect((await post({ Origin: origin }, form({ id: '1', csrf, back: '//evil.example/' }))).headers.location, 'an open redirect').toBe('/');
      expect((await rawRequest(port, { method: 'POST', path: '/retry', headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form({ id: '1', csrf }) })).status, 'no session').toBe(401);

      // No CORS, ever.
      const preflight = await rawRequest(port, { method: 'OPTIONS', path: '/retry', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
      expect(preflight.status).toBe(405);
      for (const response of [preflight, page, css, redeemed]) expect(response.headers['access-control-allow-origin']).toBeUndefined();

      // The event stream, with a session.
      const events = await rawRequest(port, { path: '/events', headers: { Cookie: cookie } });
      expect(events.status).toBe(200);
      expect(events.headers['content-type']).toBe('text/event-stream');

      // --print-url: one more URL for one more browser, working once; `ui` again reuses this dashboard.
      const printed = await runCli(['ui', '--print-url'], home.env);
      expect(printed.code, printed.stderr).toBe(0);
      const second = new URL(printed.stdout.trim().split('\n')[0]!);
      expect(second.port).toBe(String(port));
      secrets.push(second.searchParams.get('token')!);
      const secondCookie = await openSession(second);
      secrets.push(secondCookie.split('=')[1]!);
      expect((await rawRequest(port, { path: '/', headers: { Cookie: secondCookie } })).status).toBe(200);
      expect((await rawRequest(port, { path: second.pathname + second.search })).status).toBe(401);
      const again = await runCli(['ui', '--no-browser'], home.env);
      expect(again.code, again.stderr).toBe(0);
      expect(new URL(again.stdout.split('\n')[0]!).port).toBe(String(port));
      secrets.push(new URL(again.stdout.split('\n')[0]!).searchParams.get('token')!);
    } finally {
      ui.cli.child.kill('SIGTERM');
    }
    const result = await ui.cli.done;
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(home.stateDir, 'ui.json')), 'the handoff file outlives its dashboard').toBe(false);
    expect(result.stderr).toMatch(/dashboard: GET \/activities 303/);
    for (const secret of secrets) expect(result.stderr).not.toContain(secret);
    const printed = await runCli(['ui', '--print-url'], home.env);
    expect(printed.code).toBe(2);
    expect(printed.stderr).toMatch(/no dashboard is running/);
  });

  it('opens the browser on a private forwarding page: the token is never on a command line', async () => {
    const home = makeHome(API);
    const bin = mkdtempSync(join(tmpdir(), 'mmt-ui-browser-'));
    const argsFile = join(bin, 'args');
    // A stand-in browser (xdg-open honours $BROWSER): it records what it was asked to open.
    writeFileSync(join(bin, 'browser'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${argsFile}"\n`, { mode: 0o755 });
    const ui = startCli(['ui', '--port', '0'], { ...home.env, BROWSER: join(bin, 'browser') });
    try {
      const printed = new URL(await ui.firstLine);
      const args = await waitFor('the browser to be started', () => (existsSync(argsFile) ? readFileSync(argsFile, 'utf8').trim() : undefined));
      expect(args).not.toContain('token');
      expect(args.startsWith(join(home.stateDir, 'ui-open-')), args).toBe(true);
      expect(statSync(args).mode & 0o777).toBe(0o600);
      const forwarded = /url=([^"]+)"/.exec(readFileSync(args, 'utf8'))![1]!.replaceAll('&amp;', '&');
      const url = new URL(forwarded);
      expect(url.port).toBe(printed.port);
      expect(url.href, 'the URL printed is the one opened').toBe(printed.href);
      expect((await rawRequest(Number(url.port), { path: url.pathname + url.search })).status).toBe(303);
    } finally {
      ui.child.kill('SIGTERM');
    }
    expect((await ui.done).code).toBe(0);
  });

  it('is served by the daemon with ui.enabled; --print-url lets a browser in; "Retry now" there is tried at once', async () => {
    const sandbox = await startSandbox({});
    const folder = mkdtempSync(join(tmpdir(), 'mmt-ui-daemon-'));
    // A valid track in UTF-16, which the server refuses with a 403: it fails, and stays failed.
    const gpx = `<?xml version="1.0" encoding="UTF-16"?><gpx version="1.1" creator="x"><trk><trkseg><trkpt lat="46.1" lon="14.1"><time>2026-11-01T10:00:00Z</time></trkpt><trkpt lat="46.2" lon="14.2"><time>2026-11-01T10:05:00Z</time></trkpt></trkseg></trk></gpx>`;
    writeFileSync(join(folder, 'utf16.gpx'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(gpx, 'utf16le')]));
    const home = makeHome(sandbox, 'ui:\n  enabled: true\n  port: 0\ndevices:\n  autoDetect: false\nintake:\n  settleS: 0.1\n  backfill: all\n');
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const daemon = startCli(['watch', '--folder', folder, '-v'], home.env);
    const secrets: string[] = [];
    const uploads = async () => (await readStats(sandbox)).log.filter((e) => e.path.endsWith('/uploadActivity')).length;
    try {
      await waitFor('the dashboard', () => (/dashboard on http:\/\/127\.0\.0\.1:\d+\//.test(daemon.output().stderr) ? true : undefined));
      await waitFor('the refused upload', async () => ((await uploads()) === 1 ? true : undefined));
      const printed = await runCli(['ui', '--print-url'], home.env);
      expect(printed.code, printed.stderr).toBe(0);
      const url = new URL(printed.stdout.trim());
      secrets.push(url.searchParams.get('token')!);
      const cookie = await openSession(url);
      secrets.push(cookie.split('=')[1]!);
      const port = Number(url.port);
      const overview = await rawRequest(port, { path: '/', headers: { Cookie: cookie } });
      expect(overview.status).toBe(200);
      expect(overview.body).toMatch(/The background service is running \(pid \d+\) and serving this page/);
      expect(JSON.parse(readFileSync(join(home.stateDir, 'ui.json'), 'utf8')).pid).toBe(daemon.child.pid);

      const attention = await rawRequest(port, { path: '/attention', headers: { Cookie: cookie } });
      const id = /name="id" value="(\d+)"/.exec(attention.body)![1]!;
      const retried = await rawRequest(port, {
        method: 'POST',
        path: '/retry',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie, Origin: `http://127.0.0.1:${port}` },
        body: new URLSearchParams({ id, csrf: csrfOf(attention.body), back: '/attention' }).toString(),
      });
      expect(retried.status).toBe(303);
      // The daemon's uploader is woken: the next try goes out now, not at the next rescan.
      await waitFor('the retried upload', async () => ((await uploads()) === 2 ? true : undefined), 10_000);
    } finally {
      daemon.child.kill('SIGTERM');
    }
    const result = await daemon.done;
    await sandbox.close();
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(home.stateDir, 'ui.json'))).toBe(false);
    for (const secret of secrets) expect(result.stderr).not.toContain(secret);
  });
});
