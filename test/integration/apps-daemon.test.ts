import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { CORPUS, makeHome, startCli, type RunningCli } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { waitFor } from '../helpers/wait.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** The scheduled rescan never comes during a test (1 January only): what happens is not its doing. */
const NO_RESCAN = '  rescanCron: "0 0 1 1 *"\n';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function aged(path: string, agoS: number): void {
  const when = new Date(Date.now() - agoS * 1000);
  utimesSync(path, when, when);
}

async function daemonReady(daemon: RunningCli): Promise<void> {
  await waitFor('the daemon to watch', async () => (/watching \d+ source/.test(daemon.output().stderr) ? true : undefined));
}

async function stop(daemon: RunningCli): Promise<void> {
  daemon.child.kill('SIGTERM');
  const result = await daemon.done;
  expect(result.code, result.stderr).toBe(0);
}

describe('the daemon and app folders', () => {
  it('Zwift under Wine: holds the ride while inProgressActivity.fit is fresh, sends it once the marker goes quiet, with no file event then', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = makeHome(sandbox, `intake:\n  settleS: 0.3\n  backfill: all\n${NO_RESCAN}devices:\n  autoDetect: false\n`);
      home.env.USER = 'rider';
      expect((await scriptedLogin(home)).result.code).toBe(0);
      const activities = join(home.dir, '.wine', 'drive_c', 'users', 'rider', 'Documents', 'Zwift', 'Activities');
      mkdirSync(activities, { recursive: true });
      const ride = readFileSync(join(CORPUS, 'fit', 'null_compressed_speed_dist.fit'));
      const dated = join(activities, '2025-10-31-19-56-19.fit');
      const marker = join(activities, 'inProgressActivity.fit');

      const daemon = startCli(['watch'], home.env);
      try {
        await daemonReady(daemon);
        expect(daemon.output().stderr).toContain('Zwift');
        // The ride is on: Zwift writes its buffer and the dated file, which grows.
        writeFileSync(marker, ride.subarray(0, 2000));
        writeFileSync(dated, ride.subarray(0, 814));
        await sleep(800);
        writeFileSync(marker, ride.subarray(0, 4000));
        writeFileSync(dated, ride.subarray(0, Math.floor(ride.length / 2)));
        await sleep(800);
        // Saved: the whole ride; the buffer stays, last written (as if) 297 s ago: quiet 3 s from now.
        writeFileSync(dated, ride);
        aged(marker, 297);
        const quietAt = Date.now() + 3000;
        await sleep(1500);
        expect(await listActivities(sandbox)).toHaveLength(0); // held while the marker is fresh
        const [up] = await waitFor('the ride, once the marker went quiet', async () => {
          const list = await listActivities(sandbox);
          return list.length ? list : undefined;
        });
        expect(Date.parse(up!.receivedAt)).toBeGreaterThanOrEqual(quietAt - 1000);
        expect(up).toMatchObject({ sha256: sha(ride), status: 'private', type: 'indoor cycling' });
        await sleep(1000);
        expect(await listActivities(sandbox)).toHaveLength(1); // never the partial file, never the buffer
      } finally {
        await stop(daemon);
      }
    } finally {
      await sandbox.close();
    }
  });

  it('MyWhoosh: a ride overwritten by the next before the settle window ended still goes up; three rides, three activities', async () => {
    const sandbox = await startSandbox({});
    try {
      // A settle window longer than the gap between two rides' writes: only a copy at first sight keeps ride 2.
      // MyWhoosh has no Linux build: its Mac folder (on a disk from a Mac) is configured by hand.
      const home = makeHome(sandbox, `intake:\n  settleS: 3\n  backfill: all\n${NO_RESCAN}devices:\n  autoDetect: false\n`);
      expect((await scriptedLogin(home)).result.code).toBe(0);
      const data = join(home.dir, 'mac', 'Library', 'Containers', 'com.whoosh.whooshgame', 'Data', 'Library', 'Application Support', 'Epic', 'MyWhoosh', 'Content', 'Data');
      mkdirSync(data, { recursive: true });
      const file = join(data, 'MyNewActivity-5.5.1.fit');
      const rides = [1, 2, 3].map((n) => generateFitActivity({ start: new Date(Date.now() - (4 - n) * 3_600_000), durationS: 300, sport: 'cycling', seed: 40 + n }));
      const daemon = startCli(['watch', '-v', '--folder', data], home.env);
      try {
        await daemonReady(daemon);
        writeFileSync(file, rides[0]!);
        await waitFor('ride 1', async () => ((await listActivities(sandbox)).length === 1 ? true : undefined));
        writeFileSync(file, rides[1]!);
        await sleep(1200);
        writeFileSync(file, rides[2]!);
        await waitFor('rides 2 and 3', async () => ((await listActivities(sandbox)).length >= 3 ? true : undefined), 30_000).catch((error: Error) => {
          throw new Error(`${error.message}; daemon: ${daemon.output().stderr.slice(-3000)}`);
        });
        await sleep(500);
        expect((await listActivities(sandbox)).map((a) => a.sha256).sort()).toEqual(rides.map(sha).sort());
      } finally {
        await stop(daemon);
      }
    } finally {
      await sandbox.close();
    }
  });
});
