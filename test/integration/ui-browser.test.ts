/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core), against
 * the built CLI and the sandbox: logging in from the page, every upload drawn and linked
 * after a sync, "Retry now", pages following changes by themselves, the Live page
 * following `mmt-sync live --follow`. Screenshots of each page at 1280 and 360 px, light
 * and dark (docs/screenshots/ with MMT_SYNC_SCREENSHOTS=1). One browser for the file.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityUrl } from '../../src/api/activity-url.js';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { CORPUS, makeHome, runCli, startCli, type TestHome } from '../helpers/cli.js';
import { collectPageErrors, launchChromium, screenshotDir } from '../helpers/browser.js';
import { scriptedLogin } from '../helpers/login.js';
import { startUi, type RunningUi } from '../helpers/ui.js';

const YAML = 'intake:\n  settleS: 0.1\n  backfill: all\nretry:\n  baseDelayS: 0.05\n  maxDelayS: 0.2\n  maxAttempts: 2\n  onceWaitS: 2\ndevices:\n  autoDetect: false\n';
const MMT = 'https://www.mapmytracks.com/explore/activity/{id}';
const FILES = [
  'fit/activity-small-fenix2-run.fit',
  'fit/garmin-edge-500-activity.fit',
  'fit/coros-pace-2-cycling-misaligned-fields.fit',
  'fit/strava-android-app-201.10-b1218918.fit',
  'fit/sample-activity-indoor-trainer.fit',
  'gpx/korita-zbevnica.gpx',
  'gpx/Mojstrovka.gpx',
];
// A valid track in UTF-16, which the server refuses with a 403: a failure that stays failed.
const UTF16_GPX = Buffer.concat([
  Buffer.from([0xff, 0xfe]),
  Buffer.from(
    `<?xml version="1.0" encoding="UTF-16"?><gpx version="1.1" creator="x"><trk><trkseg><trkpt lat="46.1" lon="14.1"><time>2014-05-01T10:00:00Z</time></trkpt><trkpt lat="46.2" lon="14.2"><time>2014-05-01T10:05:00Z</time></trkpt></trkseg></trk></gpx>`,
    'utf16le',
  ),
]);

let browser: Browser;
let sandbox: RunningSandbox;
const shots = screenshotDir();

beforeAll(async () => {
  [browser, sandbox] = await Promise.all([launchChromium(), startSandbox({})]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), sandbox?.close()]);
});

/** A new browser profile, let in by a fresh one-time URL (the first is `mmt-sync ui`'s own, later ones `--print-url`'s). */
async function openDashboard(ui: RunningUi, options: { width?: number; dark?: boolean; url?: string } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.dark ? 'dark' : 'light', locale: 'en-GB', timezoneId: 'Europe/Ljubljana' });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(options.url ?? ui.url.href);
  expect(page.url(), 'the token leaves the URL').toBe(`http://127.0.0.1:${ui.port}/`);
  return { context, page, errors };
}

/** Each page at 1280 and 360 px, light and dark; a screenshot that is not a real picture fails. */
async function screenshots(ui: RunningUi, pages: ReadonlyArray<[string, string]>): Promise<void> {
  for (const dark of [false, true]) {
    const printed = await runCli(['ui', '--print-url'], ui.home.env);
    const { context, page } = await openDashboard(ui, { dark, url: printed.stdout.trim() });
    for (const [name, path] of pages) {
      await page.goto(`http://127.0.0.1:${ui.port}${path}`);
      for (const width of [1280, 360]) {
        await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
        const file = join(shots, `${name}-${width}-${dark ? 'dark' : 'light'}.png`);
        await page.screenshot({ path: file, fullPage: false });
        expect(statSync(file).size, file).toBeGreaterThan(8_000);
        // Readable at 360 px: nothing wider than the screen.
        expect(await page.evaluate('document.documentElement.scrollWidth'), `${name} at ${width} px`).toBeLessThanOrEqual(width);
      }
    }
    await context.close();
  }
}

async function loggedInHome(extraYaml = ''): Promise<TestHome> {
  const home = makeHome(sandbox, `${YAML}${extraYaml}`);
  const login = await scriptedLogin(home);
  expect(login.result.code, login.result.stderr).toBe(0);
  return home;
}

describe('the dashboard in a browser', () => {
  it('"Log in" runs the OAuth flow in the same browser, and the Overview updates by itself when it lands', async () => {
    const home = makeHome(sandbox, YAML);
    const ui = await startUi(home);
    const { context, page, errors } = await openDashboard(ui);
    try {
      await page.getByText('Not logged in.').waitFor();
      await page.evaluate('window.unchanged = true');
      const [consent] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Log in' }).click()]);
      await consent.waitForLoadState();
      expect(new URL(consent.url()).origin).toBe(new URL(sandbox.baseUrl).origin);
      await consent.getByRole('button', { name: 'Approve' }).click();
      await consent.getByText('mmt-sync is connected').waitFor();
      await page.getByText(/Logged in to/).waitFor({ timeout: 15_000 });
      expect(await page.evaluate('window.unchanged'), 'updated in place, not reloaded').toBe(true);
      const status = await runCli(['status', '--json'], home.env);
      expect(JSON.parse(status.stdout).login).toBe('logged-in');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      ui.cli.child.kill('SIGTERM');
      await ui.cli.done;
    }
  });

  it('after a sync shows every upload with its drawing and link; "Retry now" re-queues a failed file; pages follow new uploads by themselves', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mmt-ui-sync-'));
    const home = await loggedInHome(`sources:\n  - path: ${folder}\n`);
    for (const file of FILES) copyFileSync(join(CORPUS, file), join(folder, file.split('/')[1]!));
    writeFileSync(join(folder, 'phone-export-utf16.gpx'), UTF16_GPX);
    const sync = await runCli(['--once'], home.env);
    expect(sync.code, sync.stderr).toBe(1); // the UTF-16 file failed
    const uploaded = await listActivities(sandbox);
    const journal = Journal.open(home.stateDir);
    const records = journal.list({ states: ['uploaded'] });
    journal.close();
    expect(records.length).toBe(FILES.length);

    const ui = await startUi(home);
    const { context, page, errors } = await openDashboard(ui);
    try {
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Activities' }).click();
      await expect(page.locator('h1').textContent()).resolves.toMatch(/Activities\s*8/); // 7 up, 1 failed
      const cards = page.locator('li.activity');
      await expect(cards.count()).resolves.toBe(8);
      for (const record of records) {
        const card = page.locator(`li.activity[data-id="${record.id}"]`);
        const href = activityUrl(MMT, record.remoteId!);
        expect(uploaded.some((a) => String(a.id) === record.remoteId)).toBe(true);
        await expect(card.locator(`a.mmt[href="${href}"]`).count(), `${record.relPath}: link`).resolves.toBe(1);
        // A drawing for every track with positions (the indoor ride has none and says so).
        const drawn = await card.locator('svg path.track-line').count();
        expect(drawn, `${record.relPath}: drawing`).toBe(record.positions && record.positions >= 2 ? 1 : 0);
        if (!drawn) await expect(card.locator('svg').textContent()).resolves.toBe('no GPS track');
      }
      await expect(page.locator('li.activity .badge.state-repaired').count(), 'the repaired flag').resolves.toBe(1);
      // km for en-GB; this browser switches to miles, and stays there.
      await expect(page.locator('li.activity .facts').first().textContent()).resolves.toMatch(/ km /);
      await page.getByRole('button', { name: 'Show mi' }).click();
      await expect(page.locator('li.activity .facts').first().textContent()).resolves.toMatch(/ mi /);
      await page.getByRole('button', { name: 'Show km' }).click();

      // Needs attention: the failed file with its reason; "Retry now" puts it back in line.
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Needs attention/ }).click();
      const failed = page.locator('section[aria-labelledby="failed-h"] li.file');
      await expect(failed.count()).resolves.toBe(1);
      await expect(failed.locator('.reason').textContent()).resolves.toMatch(/403/);
      await failed.getByRole('button', { name: 'Retry now' }).focus();
      await page.keyboard.press('Enter'); // by keyboard
      await page.getByText('Nothing failed.').waitFor();
      await expect(page.locator('section[aria-labelledby="waiting-h"] li.file .name').textContent()).resolves.toBe('phone-export-utf16.gpx');
      const after = Journal.open(home.stateDir);
      expect(after.list({ states: ['queued'] }).map((r) => r.relPath)).toEqual(['phone-export-utf16.gpx']);
      after.close();

      // One activity: the larger drawing, the summary, the history.
      const repaired = records.find((r) => r.verdict === 'repair')!;
      await page.goto(`http://127.0.0.1:${ui.port}/activity/${repaired.id}`);
      await expect(page.locator('svg.large path.track-line').count()).resolves.toBe(1);
      await expect(page.locator('table.history').textContent()).resolves.toMatch(/classified.*queued.*uploading.*uploaded.*activity/s);
      await expect(page.locator('.facts-list').textContent()).resolves.toMatch(/Distance.*km.*Duration/s);

      // A file synced from the command line appears on the open Activities page without a reload.
      await page.goto(`http://127.0.0.1:${ui.port}/activities`);
      await page.evaluate('window.unchanged = true');
      copyFileSync(join(CORPUS, 'fit/garmin-fenix-5-run.fit'), join(folder, 'new-run.fit'));
      await runCli(['--once'], home.env);
      await page.locator('li.activity').nth(8).waitFor({ timeout: 15_000 });
      expect(await page.evaluate('window.unchanged')).toBe(true);
      expect(errors).toEqual([]);

      await screenshots(ui, [
        ['overview', '/'],
        ['activities', '/activities'],
        ['attention', '/attention'],
        ['activity', `/activity/${records.find((r) => r.relPath === 'activity-small-fenix2-run.fit')!.id}`],
      ]);
    } finally {
      await context.close();
      ui.cli.child.kill('SIGTERM');
      await ui.cli.done;
    }
  });

  it('the Live page follows a `mmt-sync live --follow` run: points sent and the track so far, updating', async () => {
    const home = await loggedInHome();
    const dir = mkdtempSync(join(tmpdir(), 'mmt-ui-live-'));
    mkdirSync(dir, { recursive: true });
    const track = join(dir, 'ride.gpx');
    // Three quarters of a lap of a park, a fix a second, the last one now.
    const start = Date.now() - 40_000;
    const point = (i: number) =>
      `<trkpt lat="${(46.05 + 0.002 * Math.sin(i / 6.4)).toFixed(6)}" lon="${(14.5 + 0.0029 * (1 - Math.cos(i / 6.4))).toFixed(6)}"><time>${new Date(start + i * 1000).toISOString()}</time></trkpt>\n`;
    writeFileSync(track, `<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Evening ride</name><type>cycling</type><trkseg>\n${[0, 1, 2].map(point).join('')}`);
    const live = startCli(['live', '--follow', track, '--interval', '1', '--idle-stop', '60', '--title', 'Evening ride', '--type', 'cycling'], home.env);
    const ui = await startUi(home);
    const { context, page, errors } = await openDashboard(ui);
    try {
      await page.goto(`http://127.0.0.1:${ui.port}/live`);
      await page.evaluate('window.unchanged = true');
      const sent = async () => Number(await page.locator('.points-sent').textContent({ timeout: 15_000 }));
      await page.locator('.points-sent').waitFor({ timeout: 15_000 });
      let seen = await sent();
      for (let i = 3; i < 40; i++) {
        appendFileSync(track, point(i));
        if (i % 8 === 0) await new Promise((r) => setTimeout(r, 600));
      }
      // (waitForFunction would evaluate a string in the page, which the dashboard's CSP forbids.)
      await expect.poll(sent, { timeout: 20_000 }).toBeGreaterThan(seen);
      seen = await sent();
      expect(seen).toBeGreaterThan(3);
      await expect(page.locator('svg.large path.track-line').count()).resolves.toBe(1);
      await expect(page.locator('.badge.live-recording').textContent()).resolves.toBe('live now');
      await expect.poll(sent, { timeout: 20_000 }).toBeGreaterThanOrEqual(40);
      await screenshots(ui, [['live', '/live']]);
      appendFileSync(track, '</trkseg></trk></gpx>\n');
      live.child.kill('SIGINT'); // Ctrl-C: the rest goes up, the activity stops
      const result = await live.done;
      expect(result.code, result.stderr).toBe(0);
      await page.getByText('stopped', { exact: true }).waitFor({ timeout: 15_000 });
      expect(await page.evaluate('window.unchanged'), 'followed without a reload').toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      if (live.child.exitCode === null) live.child.kill('SIGTERM');
      ui.cli.child.kill('SIGTERM');
      await ui.cli.done;
    }
    expect(existsSync(join(home.stateDir, 'live.sqlite'))).toBe(true);
  });
});
