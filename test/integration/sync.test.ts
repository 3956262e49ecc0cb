import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities, readStats } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { makeHome, runCli, startCli, type TestHome } from '../helpers/cli.js';
import { expectedRows } from '../helpers/corpus.js';
import { scriptedLogin } from '../helpers/login.js';
import { corpusCopy } from '../helpers/tree.js';

const FAST = 'intake:\n  settleS: 0.2\n  backfill: all\nretry:\n  baseDelayS: 0.05\n  maxDelayS: 0.5\n  maxAttempts: 10\n  onceWaitS: 5\n';
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function loggedIn(api: { baseUrl: string; clientId: string; clientSecret: string }, yaml = FAST): Promise<TestHome> {
  const home = makeHome(api, yaml);
  const login = await scriptedLogin(home);
  expect(login.result.code, login.result.stderr).toBe(0);
  return home;
}

/** `--once` again while it exits 1 (something still pending after this run's retry budget). */
async function syncUntilDone(home: TestHome, folder: string, maxRuns = 12): Promise<number> {
  for (let run = 1; run <= maxRuns; run++) {
    const result = await runCli(['--once', '--folder', folder], home.env);
    if (result.code === 0) return run;
    expect(result.code, result.stderr).toBe(1);
  }
  throw new Error(`still not done after ${maxRuns} runs`);
}

describe('mmt-sync --once against the sandbox', () => {
  it('gets every upload/repair file of the corpus to the sandbox exactly once through 30 % faults; reruns, renames and shifted mtimes upload nothing', async () => {
    const sandbox = await startSandbox({ failRate: 0.3, seed: 1234 });
    try {
      const folder = corpusCopy();
      const home = await loggedIn(sandbox);
      const runs = await syncUntilDone(home, folder);
      expect(runs).toBeGreaterThanOrEqual(1);

      const activities = await listActivities(sandbox);
      const uploadedShas = activities.map((a) => a.sha256);
      expect(new Set(uploadedShas).size, 'an activity arrived twice').toBe(uploadedShas.length);

      const journal = Journal.open(home.stateDir);
      const records = new Map(journal.list().map((r) => [r.relPath, r]));
      const byId = new Map(journal.list().map((r) => [r.id, r]));
      journal.close();
      const remoteIds = new Set(activities.map((a) => String(a.id)));
      for (const row of expectedRows()) {
        const record = records.get(row.file)!;
        if (row.outcome === 'skip') {
          expect(record.state, row.file).toBe('skipped');
          continue;
        }
        // Uploaded itself, or recognised as the same activity as one that was (damaged copies of Activity.fit).
        const landed = record.state === 'duplicate' ? byId.get(record.duplicateOf!)! : record;
        expect(landed.state, `${row.file}: ${record.lastError ?? ''}`).toBe('uploaded');
        expect(remoteIds.has(landed.remoteId!), row.file).toBe(true);
        if (record.state === 'uploaded' && row.outcome === 'upload' && row.file.endsWith('.fit')) {
          // FIT goes up as the original bytes.
          expect(uploadedShas).toContain(sha(readFileSync(join(folder, row.file))));
        }
      }
      expect(activities.length).toBe([...records.values()].filter((r) => r.state === 'uploaded').length);

      const requestsBefore = (await readStats(sandbox)).requests.uploadActivity ?? 0;
      const again = await runCli(['--once', '--folder', folder, '--json'], home.env);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).uploaded).toBe(0);

      renameSync(join(folder, 'fit/garmin-fenix-5-run.fit'), join(folder, 'fit/2017-run-renamed.fit'));
      for (const f of ['fit/garmin-edge-820-bike.fit', 'gpx/cerknicko-jezero.gpx', 'fit/sample-activity.fit']) {
        const s = statSync(join(folder, f));
        utimesSync(join(folder, f), s.atime, new Date(s.mtimeMs - 3_600_000));
      }
      const third = await runCli(['--once', '--folder', folder], home.env);
      expect(third.code, third.stderr).toBe(0);
      expect((await readStats(sandbox)).requests.uploadActivity ?? 0).toBe(requestsBefore);
    } finally {
      await sandbox.close();
    }
  });

  it('honours Retry-After on 429 (no request before it) and does not retry a 403', async () => {
    const sandbox = await startSandbox({ rateLimitPerMin: 3, rateWindowMs: 2_000 });
    try {
      const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-429-'));
      for (let i = 0; i < 6; i++) {
        writeFileSync(join(folder, `run-${i}.fit`), generateFitActivity({ start: new Date(Date.now() - (i + 1) * 86_400_000), durationS: 300, serial: 100 + i }));
      }
      // UTF-16 GPX: a valid track we can read, a format the server refuses with 403.
      const gpx = `<?xml version="1.0" encoding="UTF-16"?><gpx version="1.1" creator="x"><trk><trkseg><trkpt lat="46.1" lon="14.1"><time>2026-11-01T10:00:00Z</time></trkpt><trkpt lat="46.2" lon="14.2"><time>2026-11-01T10:05:00Z</time></trkpt></trkseg></trk></gpx>`;
      writeFileSync(join(folder, 'utf16.gpx'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(gpx, 'utf16le')]));
      // One upload at a time, so every request after a 429 was sent knowing about it.
      const home = await loggedIn(sandbox, `${FAST.replace('onceWaitS: 5', 'onceWaitS: 20')}upload:\n  concurrency: 1\n`);
      const result = await runCli(['--once', '--folder', folder, '--json'], home.env);
      expect(result.code).toBe(1); // the 403 is a failure
      const summary = JSON.parse(result.stdout);
      expect(summary.uploaded).toBe(6);
      expect(summary.failed).toHaveLength(1);
      expect(summary.failed[0].reason).toMatch(/403.*unsupported file/);

      const log = (await readStats(sandbox)).log.filter((e) => e.path.endsWith('/uploadActivity'));
      const limited = log.filter((e) => e.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      for (const refusal of limited) {
        const next = log.find((e) => e.t > refusal.t);
        if (next) expect(next.t - refusal.t, 'a request went out before Retry-After').toBeGreaterThanOrEqual(Number(refusal.retryAfter) * 1000 - 5);
      }
      const forbidden = log.filter((e) => e.status === 403);
      expect(forbidden).toHaveLength(1); // not retried

      const journal = Journal.open(home.stateDir);
      const failed = journal.list({ states: ['failed'] });
      journal.close();
      expect(failed.map((f) => f.relPath)).toEqual(['utf16.gpx']);
      const status = await runCli(['status'], home.env);
      expect(status.stdout).toMatch(/failed #\d+:.*utf16\.gpx.*unsupported file/);
    } finally {
      await sandbox.close();
    }
  });

  it('kill -9 in the middle of a backlog, then a rerun: nothing lost, nothing twice', async () => {
    const sandbox = await startSandbox({ latencyMs: 40 });
    try {
      const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-kill-'));
      const total = 40;
      for (let i = 0; i < total; i++) {
        writeFileSync(join(folder, `a-${i}.fit`), generateFitActivity({ start: new Date(Date.now() - (i + 1) * 3_600_000), durationS: 120, serial: 500 + i }));
      }
      const home = await loggedIn(sandbox, FAST.replace('settleS: 0.2', 'settleS: 0'));
      const run = startCli(['--once', '--folder', folder], home.env);
      for (let i = 0; i < 200; i++) {
        if ((await listActivities(sandbox)).length >= 8) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      run.child.kill('SIGKILL');
      await run.done;
      const midway = (await listActivities(sandbox)).length;
      expect(midway).toBeGreaterThan(0);
      expect(midway).toBeLessThan(total);
      const journal = Journal.open(home.stateDir);
      expect(journal.integrityCheck()).toBe('ok');
      journal.close();
      await syncUntilDone(home, folder);
      const activities = await listActivities(sandbox);
      expect(activities).toHaveLength(total);
      expect(new Set(activities.map((a) => a.sha256)).size).toBe(total);
    } finally {
      await sandbox.close();
    }
  });

  it('--dry-run shows what would go up and the number of API calls, and sends nothing', async () => {
    const sandbox = await startSandbox({});
    try {
      const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-dry-'));
      for (let i = 0; i < 3; i++) {
        writeFileSync(join(folder, `d-${i}.fit`), generateFitActivity({ start: new Date(Date.now() - (i + 1) * 3_600_000), durationS: 60, serial: 900 + i }));
      }
      const home = await loggedIn(sandbox);
      const result = await runCli(['--once', '--dry-run', '--folder', folder], home.env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/3 files would be uploaded with 3 API calls; nothing was sent/);
      expect(await listActivities(sandbox)).toHaveLength(0);
    } finally {
      await sandbox.close();
    }
  });
});
