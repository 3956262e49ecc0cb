/**
 * Data replies as real servers send them (a PHP app's BOM, v1's errors at HTTP 200, a
 * proxy's HTML pages and redirects, an oversized reply): each a sandbox personality, each
 * driven through the built CLI over real HTTP, counting from the server's side how often
 * the client asked.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { gpxTrack, listActivities, readStats } from '../../src/sandbox/testkit.js';
import { makeHome, runCli, startCli, type CliResult, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

const FAST = 'intake:\n  settleS: 0\n  backfill: all\nretry:\n  baseDelayS: 0.05\n  maxDelayS: 0.2\n  maxAttempts: 7\n  onceWaitS: 5\n';

/**
 * Logs in against the plain sandbox, then restarts it (same port, same stored tokens) with
 * the personality under test: what is measured is how the data replies are read, whatever
 * the token endpoint would have made of the quirk.
 */
async function withSandbox(options: SandboxOptions, test: (sandbox: RunningSandbox, home: TestHome) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mmt-replies-sandbox-'));
  const { quirks, ...plain } = options;
  const first = await startSandbox({ ...plain, dataDir });
  const home = makeHome(first, FAST);
  try {
    const login = await scriptedLogin(home);
    expect(login.result.code, login.result.stderr).toBe(0);
  } finally {
    await first.close();
  }
  const sandbox = await startSandbox({ ...options, dataDir, port: Number(new URL(first.baseUrl).port) });
  try {
    await test(sandbox, home);
  } finally {
    await sandbox.close();
  }
}

function folderOf(count: number, salt: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'mmt-replies-'));
  for (let i = 0; i < count; i++) writeFileSync(join(folder, `run-${i}.gpx`), gpxTrack(`${salt}-${i}`));
  return folder;
}

const uploadRequests = async (sandbox: RunningSandbox) => (await readStats(sandbox)).requests.uploadActivity ?? 0;

/** A sync that failed its one file for good: exit 1, the reason in the summary, in status, in the journal. */
async function expectFailedForGood(home: TestHome, sync: CliResult, reason: RegExp): Promise<void> {
  expect(sync.code, sync.stderr).toBe(1);
  const summary = JSON.parse(sync.stdout) as { failed: Array<{ reason: string }>; pending: number };
  expect(summary.pending).toBe(0);
  expect(summary.failed).toHaveLength(1);
  expect(summary.failed[0]!.reason).toMatch(reason);
  // One line, never a page.
  for (const text of [summary.failed[0]!.reason, sync.stderr]) expect(text).not.toMatch(/<html|<body|<!--/i);
  const status = await runCli(['status'], home.env);
  expect(status.stdout).toMatch(reason);
  const journal = Journal.open(home.stateDir);
  try {
    expect(journal.list().map((r) => r.state)).toEqual(['failed']);
  } finally {
    journal.close();
  }
}

describe('data replies as real servers send them', () => {
  it('bom: an upload answered with JSON behind a byte order mark is a success, sent once', async () => {
    await withSandbox({ quirks: 'bom' }, async (sandbox, home) => {
      const sync = await runCli(['--once', '--folder', folderOf(3, 'bom'), '--json'], home.env);
      expect(sync.code, sync.stderr).toBe(0);
      expect(JSON.parse(sync.stdout)).toMatchObject({ uploaded: 3, retries: 0, failed: [] });
      expect(await uploadRequests(sandbox)).toBe(3);
      expect(await listActivities(sandbox)).toHaveLength(3);
    });
  });

  it('error-at-200: a refusal sent with HTTP 200 is a permanent failure with the server\'s message, recorded, shown by status, asked once', async () => {
    await withSandbox({ quirks: 'error-at-200,refuse-upload' }, async (sandbox, home) => {
      const sync = await runCli(['--once', '--folder', folderOf(1, 'v1'), '--json'], home.env);
      await expectFailedForGood(home, sync, /uploadActivity: refused by the server: INVALID_ACTIVITY: invalid activity \(sent with HTTP 200\)/);
      expect(await uploadRequests(sandbox)).toBe(1);
    });
  });

  it('html-errors: a proxy\'s 503 page is retried and told as status and title in one line', async () => {
    await withSandbox({ quirks: 'html-errors', failFirst: 1 }, async (sandbox, home) => {
      const sync = await runCli(['--once', '--folder', folderOf(1, 'html'), '--json'], home.env);
      expect(sync.code, sync.stderr).toBe(0);
      expect(JSON.parse(sync.stdout)).toMatchObject({ uploaded: 1, retries: 1 });
      const line = sync.stderr.split('\n').find((l) => l.includes('HTTP 503'));
      expect(line).toMatch(/uploadActivity: HTTP 503 \(an HTML page titled "503 Service Temporarily Unavailable"\); retry 1 in/);
      expect(sync.stderr).not.toMatch(/<html|<!--/i);
      expect(await uploadRequests(sandbox)).toBe(2);
    });
  });

  it('html-413: a proxy\'s 413 is permanent: "refused the file as too large" with the size we sent, no page dumped, asked once', async () => {
    await withSandbox({ quirks: 'html-413' }, async (sandbox, home) => {
      const sync = await runCli(['--once', '--folder', folderOf(1, 'big'), '--json'], home.env);
      await expectFailedForGood(home, sync, /uploadActivity: the server refused the file as too large, \d+ kB \(HTTP 413: an HTML page titled "413 Request Entity Too Large"\)/);
      expect(await uploadRequests(sandbox)).toBe(1);
    });
  });

  it('redirect: a 301 is not followed and says where it pointed; permanent, asked once', async () => {
    await withSandbox({ quirks: 'redirect' }, async (sandbox, home) => {
      const target = new URL('uploadActivity', sandbox.baseUrl);
      target.protocol = 'https:';
      const sync = await runCli(['--once', '--folder', folderOf(1, 'moved'), '--json'], home.env);
      const escaped = target.href.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      await expectFailedForGood(home, sync, new RegExp(`uploadActivity: HTTP 301, redirected to ${escaped}; not followed \\(check api\\.baseUrl and api\\.paths\\.uploadActivity\\)`));
      expect(await uploadRequests(sandbox)).toBe(1);
    });
  });

  it('huge-reply: a reply over 1 MiB is refused unread, permanent, asked once', async () => {
    await withSandbox({ quirks: 'huge-reply' }, async (sandbox, home) => {
      const sync = await runCli(['--once', '--folder', folderOf(1, 'huge'), '--json'], home.env);
      await expectFailedForGood(home, sync, /uploadActivity: POST \/api3\/uploadActivity: the reply announced 2097152 bytes \(over 1 MiB\); it is not an answer of this API and was not read/);
      expect(await uploadRequests(sandbox)).toBe(1);
    });
  });

  it('ua-check: every request (token, upload, revoke) carries User-Agent mmt-sync/<version>, so a v1-style filter lets it through', async () => {
    await withSandbox({ quirks: 'ua-check', tokenTtlS: 1 }, async (sandbox, home) => {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const sync = await runCli(['--once', '--folder', folderOf(1, 'ua'), '--json'], home.env);
      expect(sync.code, sync.stderr).toBe(0);
      expect((await readStats(sandbox)).grants.refresh_token).toBe(1);
      const logout = await runCli(['logout', '--json'], home.env);
      expect(JSON.parse(logout.stdout)).toMatchObject({ revoked: true });
    });
  });
});

describe('live tracking without a PLUS membership', () => {
  it('no-plus (sent with HTTP 200, as v1 did): the refused startActivity is said once, not retried, and the run exits 1', async () => {
    await withSandbox({ quirks: 'no-plus,error-at-200' }, async (sandbox, home) => {
      const track = join(mkdtempSync(join(tmpdir(), 'mmt-plus-')), 'ride.gpx');
      writeFileSync(track, gpxTrack('plus', 20));
      const cli = startCli(['live', '--follow', track, '--interval', '1', '--idle-stop', '30'], home.env);
      const timer = setTimeout(() => cli.child.kill('SIGKILL'), 30_000);
      const result = await cli.done;
      clearTimeout(timer);
      expect(result.signal, result.stderr).toBeNull();
      expect(result.code).toBe(1);
      const said = result.stderr.split('\n').filter((line) => /PLUS/.test(line));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/Map My Tracks refused to start live tracking \(live tracking on Map My Tracks needs a PLUS membership\): startActivity: refused by the server: PLUS_REQUIRED: Live tracking requires a PLUS membership/);
      expect((await readStats(sandbox)).requests.startActivity).toBe(1);
      // A later run does not ask again for the refused session.
      const again = await runCli(['live'], home.env);
      expect(again.code).toBe(2);
      expect((await readStats(sandbox)).requests.startActivity).toBe(1);
    });
  });
});
