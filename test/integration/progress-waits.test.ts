/**
 * Issue 15, honest progress on a real pseudo-terminal: while nothing can go out the line
 * says why and until when (not "ETA NF"), a file sent twice counts its megabytes once, and
 * what went up is shown with its link.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { makeHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { runCliInPty } from '../helpers/pty.js';

/** Two activities of a few hundred KB: their MB figure shows whether a resend was counted twice. */
function twoRides(): { folder: string; mb: string } {
  const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-pwait-'));
  let bytes = 0;
  for (let i = 0; i < 2; i++) {
    const path = join(folder, `ride-${i}.fit`);
    writeFileSync(path, generateFitActivity({ start: new Date(Date.now() - (i + 2) * 3_600_000), durationS: 9_000, serial: 9300 + i }));
    bytes += statSync(path).size;
  }
  return { folder, mb: (bytes / 1048576).toFixed(1) };
}

describe('progress while uploads wait (pseudo-terminal)', () => {
  it('rate limited: the plain lines say "rate limited until HH:MM:SS"; every upload is shown with its link; MB counts each file once', async () => {
    // One upload a 3 s window: the second file gets a 429 with Retry-After and goes out after it.
    const sandbox = await startSandbox({ rateLimitPerMin: 1, rateWindowMs: 3_000 });
    try {
      const home = makeHome(sandbox, 'intake:\n  settleS: 0\n  backfill: all\nupload:\n  concurrency: 1\n');
      expect((await scriptedLogin(home)).result.code).toBe(0);
      const { folder, mb } = twoRides();
      const result = await runCliInPty(['sync', '--folder', folder], { ...home.env, TERM: 'dumb' });
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/^waiting: rate limited until \d\d:\d\d:\d\d\r?$/m);
      const activities = await listActivities(sandbox);
      expect(activities).toHaveLength(2);
      for (const a of activities) expect(result.stdout).toContain(`https://www.mapmytracks.com/explore/activity/${a.id}`);
      // The file that met the 429 was started twice; its bytes count once.
      expect(result.stdout).toMatch(new RegExp(`uploaded 2/2 files · ${mb.replace('.', '\\.')} MB · `));
    } finally {
      await sandbox.close();
    }
  });

  it('rate limited on a terminal that takes escapes: the bar says until when instead of an ETA', async () => {
    const sandbox = await startSandbox({ rateLimitPerMin: 1, rateWindowMs: 3_000 });
    try {
      const home = makeHome(sandbox, 'intake:\n  settleS: 0\n  backfill: all\nupload:\n  concurrency: 1\n');
      expect((await scriptedLogin(home)).result.code).toBe(0);
      const result = await runCliInPty(['sync', '--folder', twoRides().folder], { ...home.env, TERM: 'xterm-256color' });
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/uploading \[.+\] 1\/2 files · [\d.]+ MB · rate limited until \d\d:\d\d:\d\d/);
      expect(result.stdout).not.toContain('ETA NF');
      // Behind the bar the per-file lines are not shown; the summary names each upload with its link.
      const summary = result.stdout.slice(result.stdout.indexOf('sync summary'));
      for (const a of await listActivities(sandbox)) expect(summary).toContain(`https://www.mapmytracks.com/explore/activity/${a.id}`);
    } finally {
      await sandbox.close();
    }
  });

  it('server errors: the line says what failed and when the next try is; the run that stops waiting says so too', async () => {
    const sandbox = await startSandbox({ failFirst: 2 });
    try {
      // A backoff far beyond the run's patience (1 s): the wait is said, then the run ends with the files waiting.
      const home = makeHome(sandbox, 'intake:\n  settleS: 0\n  backfill: all\nupload:\n  concurrency: 1\nretry:\n  baseDelayS: 600\n  maxDelayS: 600\n  onceWaitS: 1\n');
      expect((await scriptedLogin(home)).result.code).toBe(0);
      const result = await runCliInPty(['sync', '--folder', twoRides().folder], { ...home.env, TERM: 'dumb' });
      expect(result.code, result.stdout).toBe(1);
      expect(result.stdout).toMatch(/^waiting: server error \(HTTP 503\) — next try in \d+ (s|min) \(at \d\d:\d\d:\d\d\)\r?$/m);
      expect(result.stdout).toMatch(/2 uploads still waiting \(server error \(HTTP 503\); next try \d\d:\d\d, in \d+ (s|min)\)/);
    } finally {
      await sandbox.close();
    }
  });
});
