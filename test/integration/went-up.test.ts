/**
 * Issue 15, "see what went up" and "honest advice": the sync summary's links, `list`, the
 * closing advice per state, `retry` of waiting files, and a running daemon acting on it.
 */
import { copyFileSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { localDateTime } from '../../src/present/present.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { CORPUS, makeHome, runCli, startCli, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { waitFor } from '../helpers/wait.js';

const LINK = 'https://www.mapmytracks.com/explore/activity/';

/** A GPX the server refuses for good (UTF-16: we read it, the API does not take it). */
function refusedGpx(at: Date): Buffer {
  const t = at.toISOString();
  const gpx = `<?xml version="1.0" encoding="UTF-16"?><gpx version="1.1" creator="x"><trk><trkseg><trkpt lat="46.1" lon="14.1"><time>${t}</time></trkpt><trkpt lat="46.2" lon="14.2"><time>${t.replace(/:\d\d\./, ':59.')}</time></trkpt></trkseg></trk></gpx>`;
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(gpx, 'utf16le')]);
}

function recentFit(folder: string, name: string, hoursAgo: number, serial: number): void {
  writeFileSync(join(folder, name), generateFitActivity({ start: new Date(Date.now() - hoursAgo * 3_600_000), durationS: 600, serial }));
}

function journalOf(home: TestHome) {
  const journal = Journal.open(home.stateDir);
  try {
    return new Map(journal.list().map((r) => [r.relPath, r]));
  } finally {
    journal.close();
  }
}

interface ListJson {
  total: number;
  files: Array<{ id: number; state: string; link?: string; activityId?: string; reason?: string; nextTryAt?: string; name: string; file: string; when: string | null }>;
}

describe('what went up: the sync summary and `list`', () => {
  it('summary: every upload with its link, the failed file with `retry ID`, the older file held back with the command; list: links, states, reasons, ids, filters', async () => {
    const sandbox = await startSandbox({});
    try {
      const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-list-'));
      recentFit(folder, 'run.fit', 2, 8101);
      recentFit(folder, 'ride.fit', 5, 8102);
      writeFileSync(join(folder, 'refused.gpx'), refusedGpx(new Date(Date.now() - 3_600_000)));
      copyFileSync(join(CORPUS, 'fit/Settings.fit'), join(folder, 'Settings.fit'));
      const old = join(folder, 'old.fit');
      writeFileSync(old, generateFitActivity({ start: new Date(Date.now() - 40 * 86_400_000), durationS: 600, serial: 8103 }));
      utimesSync(old, (Date.now() - 40 * 86_400_000) / 1000, (Date.now() - 40 * 86_400_000) / 1000);
      const home = makeHome(sandbox, `intake:\n  settleS: 0\n  backfill: 14d\nsources:\n  - path: ${folder}\n`);
      expect((await scriptedLogin(home)).result.code).toBe(0);

      const sync = await runCli(['sync'], home.env);
      expect(sync.code, sync.stderr).toBe(1);
      const activities = await listActivities(sandbox);
      expect(activities).toHaveLength(2);
      const records = journalOf(home);
      const refusedId = records.get('refused.gpx')!.id;
      // Piped: one line per upload, each with its link, after the table.
      const [, uploadsPart] = sync.stdout.split('on Map My Tracks now:\n');
      const uploadLines = uploadsPart!.trim().split('\n');
      expect(uploadLines).toHaveLength(2);
      for (const activity of activities) expect(uploadLines.filter((l) => l.trimEnd().endsWith(`${LINK}${activity.id}`))).toHaveLength(1);
      // The older file: how many, and the command that sends them.
      expect(sync.stdout).toMatch(/held back: 1 older file .*`mmt-sync sync --since YYYY-MM-DD`/);
      // The failed one: retry with its id; a rerun would not touch it, so no "run again".
      const lastError = sync.stderr.trim().split('\n').at(-1)!;
      expect(lastError).toContain(`\`mmt-sync retry ${refusedId}\``);
      expect(lastError).not.toMatch(/run .*again/);

      const status = await runCli(['status'], home.env);
      expect(status.stdout).toMatch(new RegExp(`^failed #${refusedId}: +.*refused\\.gpx: .+ \\(\`mmt-sync retry ${refusedId}\`\\)$`, 'm'));
      expect(status.stdout).toMatch(/^last sync: +\d{4}-\d\d-\d\d \d\d:\d\d \((\d+ s|less than a second) ago\) by `mmt-sync sync`: 2 uploaded, 0 already there, 1 failed, 0 pending$/m);
      const listed = await runCli(['list', '--json'], home.env);
      expect(listed.code, listed.stderr).toBe(0);
      const list = JSON.parse(listed.stdout) as ListJson;
      const byFile = new Map(list.files.map((f) => [f.file.split('/').at(-1)!, f]));
      for (const name of ['run.fit', 'ride.fit']) {
        const file = byFile.get(name)!;
        expect(file.state).toBe('uploaded');
        expect(file.id).toBe(records.get(name)!.id);
        expect(activities.map((a) => `${LINK}${a.id}`)).toContain(file.link);
      }
      expect(byFile.get('refused.gpx')).toMatchObject({ state: 'failed', id: refusedId });
      expect(byFile.get('refused.gpx')!.reason).toBeTruthy();
      expect(byFile.has('old.fit')).toBe(false);
      // Newest first.
      expect(list.files.map((f) => f.file.split('/').at(-1))).toEqual(['refused.gpx', 'run.fit', 'ride.fit']);

      const text = await runCli(['list'], home.env);
      // When (local time), sport, distance, duration, name, state and link, behind the id.
      const run = byFile.get('run.fit')!;
      expect(text.stdout).toMatch(new RegExp(`^ *#${run.id}  ${localDateTime(Date.parse(run.when!))}  running +1\\.96 km +10:00  Running \\d{4}-\\d\\d-\\d\\d +uploaded  ${run.link}$`, 'm'));
      const failedLine = text.stdout.split('\n').find((l) => l.includes('failed'))!;
      expect(failedLine).toMatch(new RegExp(`^#${refusedId} .*failed: .+ — \`mmt-sync retry ${refusedId}\`$`));
      for (const activity of activities) expect(text.stdout).toMatch(new RegExp(`uploaded  ${LINK}${activity.id}$`, 'm'));
      expect(text.stdout).toMatch(/^1 older file was held back .*`mmt-sync sync --since YYYY-MM-DD` sends them$/m);

      const failedOnly = JSON.parse((await runCli(['list', '--failed', '--json'], home.env)).stdout) as ListJson;
      expect(failedOnly.files.map((f) => f.id)).toEqual([refusedId]);
      const all = JSON.parse((await runCli(['list', '--all', '--json'], home.env)).stdout) as ListJson;
      expect(all.files.find((f) => f.file.endsWith('old.fit'))).toMatchObject({ state: 'baseline', reason: 'older than the backfill window, held back' });
      // The ids `forget` takes, for files that never went up too: its help points here.
      expect(all.files.find((f) => f.file.endsWith('Settings.fit'))).toMatchObject({ state: 'skipped', id: journalOf(home).get('Settings.fit')!.id, reason: 'not an activity (file type: settings)' });
      expect((await runCli(['forget', '--help'], home.env)).stdout.replace(/\s+/g, ' ')).toContain('the file id shown by `mmt-sync list` (`list --all` for skipped and duplicate files)');
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const none = await runCli(['list', '--since', tomorrow], home.env);
      expect(none.stdout.trim()).toBe('nothing matches');
      const recent = JSON.parse((await runCli(['list', '--since', '3h', '--json'], home.env)).stdout) as ListJson;
      expect(recent.files.map((f) => f.file.split('/').at(-1)).sort()).toEqual(['refused.gpx', 'run.fit']);
    } finally {
      await sandbox.close();
    }
  });
});

describe('waiting uploads: the advice, `retry --all`, a rerun', () => {
  it('server errors leave files waiting: the advice says why and when and that a rerun tries them; `retry --all` makes them due now; the rerun sends them', async () => {
    const sandbox = await startSandbox({ failFirst: 2 });
    try {
      const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-wait-'));
      recentFit(folder, 'a.fit', 2, 8201);
      recentFit(folder, 'b.fit', 3, 8202);
      // Backoff far beyond the run's patience: both are left waiting.
      const home = makeHome(sandbox, `intake:\n  settleS: 0\n  backfill: all\nretry:\n  baseDelayS: 600\n  maxDelayS: 600\n  onceWaitS: 1\nsources:\n  - path: ${folder}\n`);
      expect((await scriptedLogin(home)).result.code).toBe(0);

      const first = await runCli(['sync'], home.env);
      expect(first.code, first.stderr).toBe(1);
      const advice = first.stderr.trim().split('\n').at(-1)!;
      expect(advice).toMatch(/2 uploads still waiting \(.+; next try \d\d:\d\d.*\): run `mmt-sync sync` again later, or let the daemon send them/);
      expect(advice).not.toContain('retry');

      const retry = await runCli(['retry', '--all'], home.env);
      expect(retry.code, retry.stderr).toBe(0);
      expect(retry.stdout.trim()).toBe('2 waiting files due now: the next `mmt-sync sync` sends them (no daemon is running)');
      for (const name of ['a.fit', 'b.fit']) expect(journalOf(home).get(name)).toMatchObject({ state: 'queued', nextAttemptAt: null });

      const second = await runCli(['sync', '--json'], home.env);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ uploaded: 2, pending: 0 });
      expect(await listActivities(sandbox)).toHaveLength(2);
    } finally {
      await sandbox.close();
    }
  });

  it('after the server is back, a plain rerun sends what an earlier run left waiting (its saved backoff is not waited out)', async () => {
    const sandbox = await startSandbox({ failFirst: 1 });
    try {
      const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-rerun-'));
      recentFit(folder, 'a.fit', 2, 8501);
      const home = makeHome(sandbox, `intake:\n  settleS: 0\n  backfill: all\nretry:\n  baseDelayS: 600\n  maxDelayS: 600\n  onceWaitS: 1\nsources:\n  - path: ${folder}\n`);
      expect((await scriptedLogin(home)).result.code).toBe(0);
      expect((await runCli(['sync'], home.env)).code).toBe(1);
      expect(journalOf(home).get('a.fit')!.nextAttemptAt).toBeGreaterThan(Date.now() + 1_000);
      const rerun = await runCli(['sync', '--json'], home.env);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(JSON.parse(rerun.stdout)).toMatchObject({ uploaded: 1, pending: 0 });
    } finally {
      await sandbox.close();
    }
  });

  it('`retry ID` takes a waiting file; `retry` of an uploaded one says what would', async () => {
    const sandbox = await startSandbox({ failFirst: 1 });
    try {
      const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-wait1-'));
      recentFit(folder, 'a.fit', 2, 8301);
      const home = makeHome(sandbox, `intake:\n  settleS: 0\n  backfill: all\nretry:\n  baseDelayS: 600\n  maxDelayS: 600\n  onceWaitS: 1\nsources:\n  - path: ${folder}\n`);
      expect((await scriptedLogin(home)).result.code).toBe(0);
      expect((await runCli(['sync'], home.env)).code).toBe(1);
      const id = journalOf(home).get('a.fit')!.id;
      const status = await runCli(['status'], home.env);
      expect(status.stdout).toMatch(/^next retry: +\d{4}-\d\d-\d\d \d\d:\d\d \(in \d+ (s|min)\) \(`mmt-sync retry --all` tries now\)$/m);
      const waiting = JSON.parse((await runCli(['list', '--waiting', '--json'], home.env)).stdout) as ListJson;
      expect(waiting.files).toHaveLength(1);
      expect(waiting.files[0]).toMatchObject({ id, state: 'waiting' });
      expect(Date.parse(waiting.files[0]!.nextTryAt!)).toBeGreaterThan(Date.now());
      expect(waiting.files[0]!.reason).toBeTruthy();
      const retry = await runCli(['retry', String(id)], home.env);
      expect(retry.stdout.trim()).toBe('1 waiting file due now: the next `mmt-sync sync` sends them (no daemon is running)');
      expect(journalOf(home).get('a.fit')!.nextAttemptAt).toBeNull();
      expect((await runCli(['sync'], home.env)).code).toBe(0);
      const again = await runCli(['retry', String(id)], home.env);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain(`\`mmt-sync forget ${id}\` sends it again`);
    } finally {
      await sandbox.close();
    }
  });

  it('a running daemon with uploads waiting on a server that was down: `retry --all` sends them at once', async () => {
    // The server's data persists in a folder, so it can stop and come back on the same port.
    const dataDir = mkdtempSync(join(tmpdir(), 'mmt-sync-srv-'));
    let sandbox = await startSandbox({ dataDir });
    const port = Number(new URL(sandbox.baseUrl).port);
    const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-dwait-'));
    const home = makeHome(sandbox, `intake:\n  settleS: 0.3\n  backfill: all\n  rescanCron: "0 0 1 1 *"\nretry:\n  baseDelayS: 30\n  maxDelayS: 600\n`);
    expect((await scriptedLogin(home)).result.code).toBe(0);
    await sandbox.close();
    const daemon = startCli(['watch', '--folder', folder], home.env);
    try {
      await waitFor('the daemon to watch', () => (/watching \d+ source/.test(daemon.output().stderr) ? true : undefined));
      recentFit(folder, 'late.fit', 1, 8401);
      // Tried against a server that is not there, until its next try is far off.
      let seen = '';
      await waitFor(
        'the upload to wait well beyond the test',
        () => {
          const record = journalOf(home).get('late.fit');
          seen = JSON.stringify({ state: record?.state, attempts: record?.attempts, inMs: record?.nextAttemptAt ? record.nextAttemptAt - Date.now() : null });
          return record?.state === 'queued' && record.nextAttemptAt !== null && record.nextAttemptAt > Date.now() + 10_000 ? true : undefined;
        },
        40_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; last seen ${seen}\n${daemon.output().stderr}`);
      });
      sandbox = await startSandbox({ dataDir, port });
      const retry = await runCli(['retry', '--all'], home.env);
      expect(retry.code, retry.stderr).toBe(0);
      expect(retry.stdout.trim()).toBe('1 waiting file due now: the running daemon sends them now');
      await waitFor('the upload after retry --all', async () => ((await listActivities(sandbox)).length ? true : undefined), 8_000);
      await waitFor('the journal to say uploaded', () => (journalOf(home).get('late.fit')!.state === 'uploaded' ? true : undefined), 5_000);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.done;
      await sandbox.close();
    }
  });
});
