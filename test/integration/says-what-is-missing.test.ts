/**
 * Issue 15, "say what is missing" and what the daemon says: no login or no setup stops
 * `sync` and `watch` at once, before any scan; nothing to scan is one line; doctor names the
 * host and reads the status; status says whether the daemon runs and the last sync whoever
 * ran it; the daemon says why files do not go up, and a pause once.
 */
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { CORPUS, makeHome, runCli, startCli, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { waitFor } from '../helpers/wait.js';

function folderWithRun(): string {
  const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-missing-'));
  writeFileSync(join(folder, 'run.fit'), generateFitActivity({ start: new Date(Date.now() - 3_600_000), durationS: 600, serial: 9101 }));
  return folder;
}

/** How many files the journal knows (0 when there is no journal at all). */
function journaled(home: TestHome): number {
  if (!existsSync(join(home.stateDir, 'journal.sqlite'))) return 0;
  const journal = Journal.open(home.stateDir);
  try {
    return journal.list().length;
  } finally {
    journal.close();
  }
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => / error: /.test(l));

describe('no login, no setup, nothing to scan', () => {
  it('sync and watch without a login exit 3 at once with the fix, having scanned nothing; sync --dry-run still shows what it would send', async () => {
    const sandbox = await startSandbox({});
    try {
      const folder = folderWithRun();
      const home = makeHome(sandbox, 'intake:\n  settleS: 0\n  backfill: all\n');
      const sync = await runCli(['sync', '--folder', folder], home.env);
      expect(sync.code).toBe(3);
      expect(errorLines(sync.stderr)).toEqual([expect.stringMatching(/error: not logged in: run `mmt-sync login`$/)]);
      expect(sync.stdout).toBe('');
      expect(journaled(home)).toBe(0);

      const watch = await runCli(['watch', '--folder', folder], home.env);
      expect(watch.code).toBe(3);
      expect(errorLines(watch.stderr)).toEqual([expect.stringMatching(/error: not logged in: run `mmt-sync login`$/)]);
      expect(journaled(home)).toBe(0);

      const dry = await runCli(['sync', '--dry-run', '--folder', folder], home.env);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`would upload ${join(folder, 'run.fit')}`);
      expect(await listActivities(sandbox)).toHaveLength(0);
    } finally {
      await sandbox.close();
    }
  });

  it('nothing set up at all: bare mmt-sync (the daemon), sync and watch say to run `mmt-sync setup` (exit 2), in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmt-sync-bare-'));
    const env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') };
    for (const args of [[], ['sync'], ['watch'], ['--once']]) {
      const result = await runCli(args, env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/error: mmt-sync is not set up yet \(no client id\): run `mmt-sync setup`$/)]);
    }
  });

  it('logged in, but no folder, no app and no watch: sync says in one line what to do (exit 2); the daemon says it once and waits', async () => {
    const sandbox = await startSandbox({});
    try {
      const media = mkdtempSync(join(tmpdir(), 'mmt-sync-nomedia-'));
      const home = makeHome(sandbox, `devices:\n  mediaRoots: [${media}]\napps:\n  detect: false\n`);
      expect((await scriptedLogin(home)).result.code).toBe(0);
      const sync = await runCli(['sync'], home.env);
      expect(sync.code).toBe(2);
      const lines = errorLines(sync.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`nothing to sync: no watch connected (looked under ${media}), no training app found and no folders under sources: in ${home.configFile}; plug in your watch, or add a folder there`);
      expect(sync.stdout).toBe('');

      const daemon = startCli(['watch'], home.env);
      try {
        await waitFor('the daemon to say it waits', () => (/waiting for a watch to be plugged in/.test(daemon.output().stderr) ? true : undefined));
        expect(daemon.output().stderr).toContain(`no watch connected yet and no folders configured: waiting for a watch to be plugged in (under ${media}); folders go under sources: in ${home.configFile}`);
      } finally {
        daemon.child.kill('SIGTERM');
        expect((await daemon.done).code).toBe(0);
      }
    } finally {
      await sandbox.close();
    }
  });
});

describe('doctor', () => {
  it('names the host it asked and reads the HTTP status; a wrong path is "no such endpoint"; no line says a thing twice', async () => {
    const sandbox = await startSandbox({});
    try {
      const host = new URL(sandbox.baseUrl).host;
      const home = makeHome(sandbox);
      expect((await scriptedLogin(home)).result.code).toBe(0);
      const ok = await runCli(['doctor'], home.env);
      expect(ok.code, ok.stdout).toBe(0);
      const api = ok.stdout.split('\n').find((l) => l.includes(' api: '))!;
      expect(api).toMatch(new RegExp(`^ok    api: ${host} answered GET /api3/uploadActivity with HTTP \\d{3}: the endpoint is there`));
      expect(ok.stdout).toMatch(/^ok {4}login: access token valid until \d{4}-\d\d-\d\d \d\d:\d\d$/m);
      expect(ok.stdout.split('\n').filter((l) => l.startsWith('ok ') && l.includes(' — fix:'))).toEqual([]);

      const wrong = makeHome({ ...sandbox, apiYaml: '  paths:\n    uploadActivity: no-such-endpoint\n' });
      expect((await scriptedLogin(wrong)).result.code).toBe(0);
      const notFound = await runCli(['doctor'], wrong.env);
      expect(notFound.code).toBe(1);
      expect(notFound.stdout).toMatch(new RegExp(`^FAIL  api: ${host} answered GET /api3/no-such-endpoint with HTTP 404: no such endpoint — fix: check api.baseUrl and api.paths.uploadActivity$`, 'm'));

      const nobody = makeHome({ ...sandbox, baseUrl: 'http://127.0.0.1:9/api3/' });
      const unreachable = await runCli(['doctor'], nobody.env);
      expect(unreachable.stdout).toMatch(/^FAIL  api: could not reach 127\.0\.0\.1:9 \(.+\) — fix: check the network and api\.baseUrl$/m);
      expect(unreachable.stdout).toMatch(/^FAIL  login: not logged in — fix: run `mmt-sync login`$/m);
      for (const line of [...ok.stdout.split('\n'), ...notFound.stdout.split('\n'), ...unreachable.stdout.split('\n')]) {
        expect(line.match(/mmt-sync (login|setup)/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
        expect(line.match(/api\.baseUrl/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
      }
    } finally {
      await sandbox.close();
    }
  });
});

describe('the daemon, seen from status; what it says', () => {
  it('status: the daemon running since when, the last sync moved by its uploads, local times with "ago"; skipped and duplicate files logged with their reason', async () => {
    const sandbox = await startSandbox({});
    const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-dstatus-'));
    const home = makeHome(sandbox, 'intake:\n  settleS: 0.2\n  backfill: all\n  rescanCron: "0 0 1 1 *"\n');
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const before = await runCli(['status'], home.env);
    expect(before.stdout).toMatch(/^daemon: +not running \(`mmt-sync service install` runs it in the background\)$/m);
    expect(before.stdout).toMatch(/^last sync: +never$/m);
    const daemon = startCli(['watch', '--folder', folder], home.env);
    try {
      await waitFor('the daemon to watch', () => (/watching \d+ source/.test(daemon.output().stderr) ? true : undefined));
      copyFileSync(join(CORPUS, 'fit/garmin-fenix-5-run.fit'), join(folder, 'run.fit'));
      copyFileSync(join(CORPUS, 'fit/garmin-fenix-5-run.fit'), join(folder, 'run-copy.fit'));
      copyFileSync(join(CORPUS, 'fit/Settings.fit'), join(folder, 'Settings.fit'));
      await waitFor('the upload', async () => ((await listActivities(sandbox)).length ? true : undefined));
      await waitFor('the skipped and duplicate files said', () =>
        /skipped .*Settings\.fit: not an activity \(file type: settings\)/.test(daemon.output().stderr) && /duplicate .*run(-copy)?\.fit: the same activity as #\d+ \(.*run(-copy)?\.fit\), not uploaded again/.test(daemon.output().stderr) ? true : undefined,
      );
      const status = await waitFor('the last sync by the daemon', async () => {
        const result = await runCli(['status', '--json'], home.env);
        const parsed = JSON.parse(result.stdout) as { daemon: { running: boolean; pid: number; since: string }; queue: { lastSync?: { by: string; uploaded: number } } };
        return parsed.queue.lastSync?.by === 'daemon' ? parsed : undefined;
      });
      expect(status.daemon).toMatchObject({ running: true, pid: daemon.child.pid });
      expect(status.queue.lastSync!.uploaded).toBe(1);
      const text = await runCli(['status'], home.env);
      expect(text.stdout).toMatch(new RegExp(`^daemon: +running since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\((\\d+ s|less than a second) ago\\), pid ${daemon.child.pid}$`, 'm'));
      expect(text.stdout).toMatch(/^last sync: +\d{4}-\d\d-\d\d \d\d:\d\d \((\d+ s|less than a second) ago\) by the daemon: 1 uploaded, 0 already there, 0 failed, 0 pending$/m);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.done;
      await sandbox.close();
    }
  });

  it('a login that dies under the daemon: "uploads paused" said once, however many uploads were waiting', async () => {
    const sandbox = await startSandbox({ tokenTtlS: 2, quirks: 'no-refresh-token' });
    const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-paused-'));
    const home = makeHome(sandbox, 'intake:\n  settleS: 0.2\n  backfill: all\n  rescanCron: "0 0 1 1 *"\n');
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const daemon = startCli(['watch', '--folder', folder], home.env);
    try {
      await waitFor('the daemon to watch', () => (/watching \d+ source/.test(daemon.output().stderr) ? true : undefined));
      await new Promise((r) => setTimeout(r, 2_500));
      for (let i = 0; i < 4; i++) writeFileSync(join(folder, `r${i}.fit`), generateFitActivity({ start: new Date(Date.now() - (i + 1) * 3_600_000), durationS: 300, serial: 9200 + i }));
      await waitFor('the pause said', () => (/uploads paused/.test(daemon.output().stderr) ? true : undefined));
      await new Promise((r) => setTimeout(r, 1_500));
      const said = daemon.output().stderr.split('\n').filter((l) => /uploads paused/.test(l));
      expect(said, daemon.output().stderr).toHaveLength(1);
      expect(said[0]).toMatch(/error: uploads paused: .*`mmt-sync login`.* \(\d+ waiting, kept in the queue\)$/);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.done;
      await sandbox.close();
    }
  });
});
