import { copyFileSync, mkdirSync, mkdtempSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities, readStats } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { CORPUS, makeHome, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { waitFor } from '../helpers/wait.js';

const YAML = 'intake:\n  settleS: 0.3\n  backfill: all\nretry:\n  baseDelayS: 0.05\n  maxDelayS: 0.5\n';
/** The scheduled rescan never comes during a test (1 January only): what happens is not its doing. */
const NO_RESCAN = '  rescanCron: "0 0 1 1 *"\n';

async function daemonReady(daemon: RunningCli): Promise<void> {
  await waitFor('the daemon to watch', async () => (/watching \d+ source/.test(daemon.output().stderr) ? true : undefined));
}

describe('mmt-sync watch (the daemon)', () => {
  it('uploads a file copied into a watched folder without any command; a second daemon exits 2; SIGTERM exits 0', async () => {
    const sandbox = await startSandbox({});
    const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-watch-'));
    const home = makeHome(sandbox, YAML);
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const daemon = startCli(['watch', '--folder', folder], home.env);
    try {
      await daemonReady(daemon);
      const second = await runCli(['watch', '--folder', folder], home.env);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(/another mmt-sync daemon \(pid \d+\) is already running/);

      copyFileSync(join(CORPUS, 'fit/garmin-fenix-5-run.fit'), join(folder, 'morning-run.fit'));
      const [activity] = await waitFor('the upload', async () => {
        const list = await listActivities(sandbox);
        return list.length ? list : undefined;
      });
      expect(activity?.format).toBe('fit');

      // A one-shot sync beside the daemon: no double upload.
      const once = await runCli(['--once', '--folder', folder, '--json'], home.env);
      expect(once.code, once.stderr).toBe(0);
      expect(JSON.parse(once.stdout).uploaded).toBe(0);
      expect(await listActivities(sandbox)).toHaveLength(1);
    } finally {
      daemon.child.kill('SIGTERM');
      const result = await daemon.done;
      await sandbox.close();
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/stopped; everything is journaled/);
    }
  });

  it('SIGTERM during uploads: in-flight uploads finish, exit 0, the journal is consistent, a restart finishes the rest', async () => {
    const sandbox = await startSandbox({ latencyMs: 150 });
    const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-term-'));
    const total = 20;
    for (let i = 0; i < total; i++) {
      writeFileSync(join(folder, `r-${i}.fit`), generateFitActivity({ start: new Date(Date.now() - (i + 1) * 3_600_000), durationS: 120, serial: 700 + i }));
    }
    const home = makeHome(sandbox, YAML);
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const daemon = startCli(['watch', '--folder', folder], home.env);
    try {
      await waitFor('some uploads', async () => ((await listActivities(sandbox)).length >= 3 ? true : undefined));
      daemon.child.kill('SIGTERM');
      const result = await daemon.done;
      expect(result.code, result.stderr).toBe(0);
      const journal = Journal.open(home.stateDir);
      expect(journal.integrityCheck()).toBe('ok');
      const counts = journal.counts();
      journal.close();
      expect(counts.uploading).toBe(0);
      expect(counts.uploaded).toBe((await listActivities(sandbox)).length);
      expect(counts.uploaded + counts.queued).toBe(total);

      const rerun = await runCli(['--once', '--folder', folder], home.env);
      expect(rerun.code, rerun.stderr).toBe(0);
      const activities = await listActivities(sandbox);
      expect(activities).toHaveLength(total);
      expect(new Set(activities.map((a) => a.sha256)).size).toBe(total);
    } finally {
      if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
      await sandbox.close();
    }
  });

  it('says a configured folder is gone once, notices it back, and uploads what was recorded meanwhile (no rescan needed)', async () => {
    const sandbox = await startSandbox({});
    const root = mkdtempSync(join(tmpdir(), 'mmt-sync-replug-'));
    const folder = join(root, 'CARD');
    const away = join(root, 'away');
    mkdirSync(folder);
    // The scheduled rescan never comes during the test: only noticing the return can upload.
    const home = makeHome(sandbox, YAML.replace('backfill: all\n', `backfill: all\n${NO_RESCAN}`));
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const daemon = startCli(['watch', '--folder', folder], home.env);
    try {
      await daemonReady(daemon);
      renameSync(folder, away);
      await waitFor('the folder said gone', async () => (/is gone; waiting for it to come back/.test(daemon.output().stderr) ? true : undefined));
      writeFileSync(join(away, 'ride.fit'), generateFitActivity({ start: new Date(Date.now() - 3_600_000), durationS: 120, serial: 4242 }));
      await new Promise((r) => setTimeout(r, 2500));
      renameSync(away, folder);
      const [activity] = await waitFor('the upload after the folder came back', async () => {
        const list = await listActivities(sandbox);
        return list.length ? list : undefined;
      }, 10_000);
      expect(activity?.format).toBe('fit');
      const stderr = daemon.output().stderr;
      expect(stderr.match(/is gone; waiting for it to come back/g)).toHaveLength(1);
      expect(stderr).toMatch(new RegExp(`${folder} is back`));
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.done;
      await sandbox.close();
    }
  });

  it('`retry` and `forget` wake a running daemon: what they queue goes out at once, an unread baseline file is read first', async () => {
    const sandbox = await startSandbox({});
    const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-wake-'));
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    // UTF-16 GPX: a valid track we read, a format the server refuses (403, permanent).
    const gpx = `<?xml version="1.0" encoding="UTF-16"?><gpx version="1.1" creator="x"><trk><trkseg><trkpt lat="46.1" lon="14.1"><time>${recent}</time></trkpt><trkpt lat="46.2" lon="14.2"><time>${recent.replace(/:\d\d\./, ':59.')}</time></trkpt></trkseg></trk></gpx>`;
    writeFileSync(join(folder, 'refused.gpx'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(gpx, 'utf16le')]));
    writeFileSync(join(folder, 'run.fit'), generateFitActivity({ start: new Date(Date.now() - 7_200_000), durationS: 120, serial: 5151 }));
    const old = join(folder, 'old.fit');
    writeFileSync(old, generateFitActivity({ start: new Date(Date.now() - 40 * 86_400_000), durationS: 120, serial: 5152 }));
    utimesSync(old, (Date.now() - 40 * 86_400_000) / 1000, (Date.now() - 40 * 86_400_000) / 1000);
    const home = makeHome(sandbox, YAML.replace('backfill: all\n', `backfill: 14d\n${NO_RESCAN}`));
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const uploads = async () => (await readStats(sandbox)).requests.uploadActivity ?? 0;
    const daemon = startCli(['watch', '--folder', folder], home.env);
    try {
      await daemonReady(daemon);
      await waitFor('the start-up uploads', async () => ((await uploads()) >= 2 ? true : undefined));
      const records = () => {
        const journal = Journal.open(home.stateDir);
        try {
          return new Map(journal.list().map((r) => [r.relPath, r]));
        } finally {
          journal.close();
        }
      };
      await waitFor('the refusal journaled', async () => (records().get('refused.gpx')?.state === 'failed' ? true : undefined));
      expect(records().get('old.fit')).toMatchObject({ state: 'baseline', unread: true });

      const retry = await runCli(['retry', String(records().get('refused.gpx')!.id)], home.env);
      expect(retry.code, retry.stderr).toBe(0);
      expect(retry.stdout).toMatch(/queued again: the running daemon sends them now/);
      await waitFor('the retried upload', async () => ((await uploads()) >= 3 ? true : undefined), 5_000);

      const forget = await runCli(['forget', String(records().get('run.fit')!.id)], home.env);
      expect(forget.stdout).toMatch(/will be uploaded again now, by the running daemon/);
      await waitFor('the forgotten file sent again', async () => ((await uploads()) >= 4 ? true : undefined), 5_000);

      const forgetUnread = await runCli(['forget', '--force', String(records().get('old.fit')!.id)], home.env);
      expect(forgetUnread.stdout).toMatch(/will be read and uploaded now, by the running daemon/);
      await waitFor('the unread file read and uploaded', async () => (records().get('old.fit')?.state === 'uploaded' ? true : undefined), 5_000);
      expect(await listActivities(sandbox)).toHaveLength(2);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.done;
      await sandbox.close();
    }
  });
});
