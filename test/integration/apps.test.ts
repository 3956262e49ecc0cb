import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { CORPUS, makeHome, runCli, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const YAML = 'upload:\n  status: public\nintake:\n  settleS: 0.2\n  backfill: all\ndevices:\n  autoDetect: false\n';

/** Sets a file's mtime to `agoS` seconds ago. */
function aged(path: string, agoS: number): void {
  const when = new Date(Date.now() - agoS * 1000);
  utimesSync(path, when, when);
}

async function once(home: TestHome): Promise<Record<string, unknown>> {
  const result = await runCli(['--once', '--json'], home.env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('a Zwift folder under Wine, found by itself', () => {
  it('uploads a ride once it has stopped growing, never the in-progress file, privately and as indoor cycling', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = makeHome(sandbox, YAML);
      home.env.USER = 'rider';
      const login = await scriptedLogin(home);
      expect(login.result.code, login.result.stderr).toBe(0);

      const activities = join(home.dir, '.wine', 'drive_c', 'users', 'rider', 'Documents', 'Zwift', 'Activities');
      mkdirSync(activities, { recursive: true });
      const yesterday = generateFitActivity({ start: new Date(Date.now() - 86_400_000), durationS: 600, sport: 'cycling', seed: 7 });
      writeFileSync(join(activities, '2025-10-30-18-00-00.fit'), yesterday);
      aged(join(activities, '2025-10-30-18-00-00.fit'), 86_400);
      // The corpus's real Zwift ride (London, sub-sport virtual_activity) plays today's ride.
      const ride = readFileSync(join(CORPUS, 'fit', 'null_compressed_speed_dist.fit'));
      const dated = join(activities, '2025-10-31-19-56-19.fit');
      const marker = join(activities, 'inProgressActivity.fit');

      // The ride starts: Zwift creates the dated file and writes its in-progress buffer.
      writeFileSync(dated, ride.subarray(0, 814));
      aged(dated, 30);
      writeFileSync(marker, ride.subarray(0, Math.floor(ride.length / 3)));
      const first = await once(home);
      expect(first.uploaded).toBe(1); // yesterday's ride only

      // It grows.
      writeFileSync(marker, ride.subarray(0, Math.floor((2 * ride.length) / 3)));
      writeFileSync(dated, ride.subarray(0, Math.floor(ride.length / 2)));
      expect((await once(home)).uploaded).toBe(0);

      // It stops: the ride is saved, the buffer is left behind and goes stale.
      writeFileSync(dated, ride);
      aged(dated, 360);
      aged(marker, 360);
      expect((await once(home)).uploaded).toBe(1);
      expect((await once(home)).uploaded).toBe(0);

      const uploaded = await listActivities(sandbox);
      expect(uploaded.map((a) => a.sha256).sort()).toEqual([sha(yesterday), sha(ride)].sort());
      const zwiftRide = uploaded.find((a) => a.sha256 === sha(ride))!;
      expect(zwiftRide).toMatchObject({ status: 'private', type: 'indoor cycling' });

      const journal = Journal.open(home.stateDir);
      const paths = journal.list().map((r) => r.relPath);
      journal.close();
      expect(paths.sort()).toEqual(['2025-10-30-18-00-00.fit', '2025-10-31-19-56-19.fit']);
    } finally {
      await sandbox.close();
    }
  });
});

describe("MyWhoosh's overwritten file, synced between rides", () => {
  it('uploads each new content of MyNewActivity.fit as a new activity: overwritten twice, three activities up', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = makeHome(sandbox, YAML);
      const login = await scriptedLogin(home);
      expect(login.result.code, login.result.stderr).toBe(0);
      // MyWhoosh has no Linux build: its folder is reached here as a configured folder.
      const data = join(home.dir, 'MyWhoosh', 'Content', 'Data');
      mkdirSync(data, { recursive: true });
      const file = join(data, 'MyNewActivity-5.5.1.fit');
      const rides = [1, 2, 3].map((n) => generateFitActivity({ start: new Date(Date.now() - (4 - n) * 3_600_000), durationS: 300, sport: 'cycling', seed: 20 + n }));
      for (const [i, ride] of rides.entries()) {
        writeFileSync(file, ride);
        aged(file, 10 - i); // each ride's file is newer than the last
        const result = await runCli(['--once', '--json', '--folder', data], home.env);
        expect(result.code, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout).uploaded, `ride ${i + 1}`).toBe(1);
      }
      expect((await listActivities(sandbox)).map((a) => a.sha256).sort()).toEqual(rides.map(sha).sort());
    } finally {
      await sandbox.close();
    }
  });
});

