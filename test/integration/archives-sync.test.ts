import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gz, gzipBomb, zipOf } from '../../src/archive/test-fixtures.js';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { makeHome, runCli } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const YAML = 'upload:\n  status: public\nintake:\n  settleS: 0.2\n  backfill: all\ndevices:\n  autoDetect: false\napps:\n  detect: false\n';
const fit = (day: string, seed: number) => generateFitActivity({ start: new Date(`${day}T07:00:00Z`), durationS: 300, sport: 'running', seed });

describe('zips and gzipped files in a synced folder', () => {
  it('uploads each member as its own journal record, a zip inside a zip too, once; a bomb beside them is refused with its reason', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = makeHome(sandbox, YAML);
      expect((await scriptedLogin(home)).result.code).toBe(0);
      const folder = join(home.dir, 'downloads');
      mkdirSync(folder);
      const [a, b, c, d] = [fit('2024-01-01', 1), fit('2024-01-02', 2), fit('2024-01-03', 3), fit('2024-01-04', 4)];
      writeFileSync(join(folder, 'rides.zip'), await zipOf([
        { name: 'a.fit', data: a! },
        { name: 'more/b.fit.gz', data: gz(b!) },
        { name: 'inner.zip', data: await zipOf([{ name: 'c.fit', data: c! }]) },
        { name: 'notes.txt', data: 'not an activity' },
      ]));
      writeFileSync(join(folder, 'd.fit.gz'), gz(d!));
      writeFileSync(join(folder, 'bomb.fit.gz'), gzipBomb(200));

      const first = await runCli(['--once', '--json', '--folder', folder], home.env);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ uploaded: 4, failed: [], pending: 0 });
      expect(first.stderr).toContain("bomb.fit.gz: expands more than 100:1 (a compression bomb's ratio)");
      expect((await listActivities(sandbox)).map((x) => x.sha256).sort()).toEqual([a, b, c, d].map((x) => sha(x!)).sort());

      const journal = Journal.open(home.stateDir);
      const uploaded = journal.list({ states: ['uploaded'] }).map((r) => r.relPath).sort();
      journal.close();
      expect(uploaded).toEqual(['d.fit.gz', 'rides.zip!/a.fit', 'rides.zip!/inner.zip!/c.fit', 'rides.zip!/more/b.fit.gz']);

      const again = await runCli(['--once', '--json', '--folder', folder], home.env);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ uploaded: 0, alreadyThere: 0 });
      expect(await listActivities(sandbox)).toHaveLength(4);
    } finally {
      await sandbox.close();
    }
  });
});
