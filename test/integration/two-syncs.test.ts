/**
 * Two `mmt-sync --once` runs started together on one fresh state directory (a timer run and
 * a plug-in run, say): the journal is created once, and every upload is recorded as done by
 * whichever process sent it — never taken for a failure and sent again. Both races were real
 * (SQLITE_BUSY from a deferred transaction upgrading to write, "table already exists" from
 * two migrations) and show only under contention, so the scenario is repeated.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { gpxTrack, readStats } from '../../src/sandbox/testkit.js';
import { makeHome, runCli } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

const ROUNDS = 4;
const FILES = 20;

function folderOf(salt: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'mmt-two-syncs-'));
  for (let i = 0; i < FILES; i++) writeFileSync(join(folder, `run-${i}.gpx`), gpxTrack(`${salt}-${i}`));
  return folder;
}

describe('two sync runs at once on one state directory', () => {
  it(`sends each of ${2 * FILES} files exactly once and both exit 0 (${ROUNDS} rounds, fresh journal each)`, async () => {
    const sandbox = await startSandbox({});
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const home = makeHome(sandbox, 'intake:\n  settleS: 0\n  backfill: all\nretry:\n  baseDelayS: 0.05\n  maxDelayS: 0.2\n  onceWaitS: 5\n');
        expect((await scriptedLogin(home)).result.code).toBe(0);
        const before = (await readStats(sandbox)).requests.uploadActivity ?? 0;
        const runs = await Promise.all([folderOf(`a${round}`), folderOf(`b${round}`)].map((folder) => runCli(['--once', '--folder', folder, '--json'], home.env)));
        for (const run of runs) expect(run.code, `round ${round}: ${run.stderr}`).toBe(0);
        const [a, b] = runs.map((run) => JSON.parse(run.stdout) as { uploaded: number; alreadyThere: number; retries: number });
        expect({ uploaded: a!.uploaded + b!.uploaded, alreadyThere: a!.alreadyThere + b!.alreadyThere, retries: a!.retries + b!.retries }, `round ${round}`).toEqual({
          uploaded: 2 * FILES,
          alreadyThere: 0,
          retries: 0,
        });
        expect((await readStats(sandbox)).requests.uploadActivity! - before, `round ${round}`).toBe(2 * FILES);
      }
    } finally {
      await sandbox.close();
    }
  });
});
