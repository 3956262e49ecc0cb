import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { CORPUS, makeHome, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { waitFor } from '../helpers/wait.js';

const YAML = 'intake:\n  settleS: 0.3\n  backfill: all\nretry:\n  baseDelayS: 0.05\n  maxDelayS: 0.5\n';

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
});
