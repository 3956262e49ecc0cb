import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { craftZip, gz, gzipBomb, honest, zipOf, type HonestEntry } from '../../src/archive/test-fixtures.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { listActivities, readStats } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { makeHome, runCli, startCli, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { runCliInPty } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const YAML = 'upload:\n  status: public\nintake:\n  settleS: 0.2\ndevices:\n  autoDetect: false\napps:\n  detect: false\n';

const ride = (day: string, seed: number) => generateFitActivity({ start: new Date(`${day}T07:00:00Z`), durationS: 300, sport: 'cycling', seed });
const run = (day: string, seed: number) => generateFitActivity({ start: new Date(`${day}T18:00:00Z`), durationS: 300, sport: 'running', seed });

/** A TCX ride as Strava exports it: whitespace before the XML declaration. */
function stravaTcx(): string {
  const points = [0, 1, 2]
    .map((i) => `<Trackpoint><Time>2021-03-01T23:0${i}:00Z</Time><Position><LatitudeDegrees>-11.6${i}</LatitudeDegrees><LongitudeDegrees>166.9${i}</LongitudeDegrees></Position></Trackpoint>`)
    .join('');
  return `          \n<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities><Activity Sport="Biking"><Id>2021-03-01T23:00:00Z</Id><Lap StartTime="2021-03-01T23:00:00Z"><Track>${points}</Track></Lap></Activity></Activities></TrainingCenterDatabase>`;
}

async function loggedIn(sandbox: RunningSandbox, yaml = YAML): Promise<TestHome> {
  const home = makeHome(sandbox, yaml);
  const login = await scriptedLogin(home);
  expect(login.result.code, login.result.stderr).toBe(0);
  return home;
}

async function importJson(home: TestHome, args: string[], code = 0): Promise<{ preview: Record<string, any>; result?: Record<string, any> }> {
  const result = await runCli(['import', ...args, '--json'], home.env);
  expect(result.code, result.stderr).toBe(code);
  return JSON.parse(result.stdout);
}

describe('mmt-sync import: a Strava export', () => {
  const already = ride('2019-05-04', 9);
  const files = {
    'activities/111.fit.gz': ride('2018-09-12', 1),
    'activities/222.fit.gz': run('2020-01-05', 2),
    'activities/444.fit.gz': already,
    'activities/555.fit': run('2021-04-01', 5),
  };
  const csv = [
    'Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Filename,Distance',
    '111,"Sep 12, 2018, 7:00:00 AM","Morning Ride, to the ""Tower""",Ride,,300,3.1,activities/111.fit.gz,3100',
    '222,"Jan 5, 2020, 6:00:00 PM",Evening Run,Run,,300,1.0,activities/222.fit.gz,1000',
    '333,"Mar 1, 2021, 11:00:00 PM",Watopia,Virtual Ride,,180,2.0,activities/333.tcx.gz,2000',
    '444,"May 4, 2019, 7:00:00 AM",Sent before,Ride,,300,1.0,activities/444.fit.gz,1000',
    '555,"Apr 1, 2021, 6:00:00 PM",Commute home,Run,,300,1.0,activities/555.fit,1000',
    '666,"Apr 2, 2021, 6:00:00 PM",Gym,Weight Training,,1800,0,,0',
  ].join('\n');
  const entries = (): HonestEntry[] => [
    { name: 'activities.csv', data: csv },
    ...Object.entries(files).map(([name, data]) => ({ name, data: name.endsWith('.gz') ? gz(data) : data })),
    { name: 'activities/333.tcx.gz', data: gz(stravaTcx()) },
    // The same ride twice in the export (Strava keeps an upload's original and a copy).
    { name: 'activities/112.fit.gz', data: gz(files['activities/111.fit.gz']) },
    { name: 'routes/9.gpx', data: '<gpx><rte><rtept lat="1" lon="2"/></rte></gpx>' },
    { name: 'profile.csv', data: 'x' },
  ];

  it('zipped: previews first, then uploads each activity once under the name activities.csv gives it; again sends nothing', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox);
      // One ride went up earlier from a watch folder: the import must not send it again.
      const folder = join(home.dir, 'watch');
      mkdirSync(folder);
      writeFileSync(join(folder, 'ride.fit'), already);
      const sync = await runCli(['--once', '--folder', folder, '--since', 'all'], home.env);
      expect(sync.code, sync.stderr).toBe(0);

      const zip = join(home.dir, 'export_12345.zip');
      writeFileSync(zip, await zipOf(entries()));
      const dry = await importJson(home, [zip, '--dry-run']);
      expect(dry.preview).toMatchObject({
        layout: 'strava',
        csv: { rows: 6 },
        files: 6,
        toUpload: 4,
        alreadyUploaded: 1,
        duplicates: 1,
        notActivities: { count: 1, routes: 1 },
        byYear: { '2018': { cycling: 1 }, '2020': { running: 1 }, '2021': { 'indoor cycling': 1, running: 1 } },
      });
      expect(await listActivities(sandbox)).toHaveLength(1); // a dry run sends nothing

      const text = await runCli(['import', zip, '--dry-run'], home.env);
      expect(text.stdout).toContain('a Strava bulk export, 6 activity files');
      expect(text.stdout).toMatch(/2021\s+2\s+/);
      expect(text.stdout).toContain('already uploaded: 1');

      const { result } = await importJson(home, [zip]);
      expect(result).toMatchObject({ uploaded: 4, alreadyThere: 0, failed: [], pending: 0 });
      const up = await listActivities(sandbox);
      const byName = Object.fromEntries(up.map((a) => [a.name, a.type]));
      expect(byName).toMatchObject({
        'Morning Ride, to the "Tower"': 'cycling',
        'Evening Run': 'running',
        Watopia: 'indoor cycling',
        'Commute home': 'running',
      });
      expect(up).toHaveLength(5);
      expect(new Set(up.map((a) => a.sha256)).size).toBe(5);

      const again = await importJson(home, [zip]);
      // The export's copy of the first ride is that ride too.
      expect(again.preview).toMatchObject({ toUpload: 0, alreadyUploaded: 6, duplicates: 0 });
      expect(again.result).toMatchObject({ uploaded: 0, alreadyThere: 0 });
      expect(await listActivities(sandbox)).toHaveLength(5);
    } finally {
      await sandbox.close();
    }
  });

  it('unpacked, with --since/--until: only the activities inside the dates, whatever the backfill window says', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox, `${YAML.replace('intake:\n', 'intake:\n  backfill: 14d\n')}`);
      const root = join(home.dir, 'export_12345');
      for (const entry of entries()) {
        const path = join(root, ...entry.name.split('/'));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, entry.data);
      }
      const { preview, result } = await importJson(home, [root, '--since', '2019-01-01', '--until', '2021-01-01']);
      expect(preview).toMatchObject({ toUpload: 2, outside: 4, byYear: { '2019': { cycling: 1 }, '2020': { running: 1 } } });
      expect(result).toMatchObject({ uploaded: 2, pending: 0 });
      expect((await listActivities(sandbox)).map((a) => a.name).sort()).toEqual(['Evening Run', 'Sent before']);
    } finally {
      await sandbox.close();
    }
  });
});

describe('mmt-sync import: a Garmin Connect export', () => {
  it('uploads the activities of the UploadedFiles zips inside the zip', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox);
      const fits = [ride('2023-06-01', 3), run('2023-06-02', 4), ride('2022-01-09', 6)];
      const part1 = await zipOf([
        { name: 'user@example.com_101.fit', data: fits[0]! },
        { name: 'user@example.com_102.fit', data: fits[1]! },
      ]);
      const part2 = await zipOf([{ name: 'user@example.com_103.fit', data: fits[2]! }]);
      const zip = join(home.dir, 'garmin-export.zip');
      writeFileSync(
        zip,
        await zipOf([
          { name: 'DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip', data: part1 },
          { name: 'DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part2.zip', data: part2 },
          { name: 'DI_CONNECT/DI-Connect-User/user_profile.json', data: '{}' },
        ]),
      );
      const { preview, result } = await importJson(home, [zip]);
      expect(preview).toMatchObject({ layout: 'garmin-connect', files: 3, toUpload: 3, byYear: { '2023': { cycling: 1, running: 1 }, '2022': { cycling: 1 } } });
      expect(result).toMatchObject({ uploaded: 3, pending: 0 });
      expect((await listActivities(sandbox)).map((a) => a.sha256).sort()).toEqual(fits.map(sha).sort());
    } finally {
      await sandbox.close();
    }
  });
});

describe('mmt-sync import: hostile members', () => {
  it('refuses a gzip bomb, a truncated gzip and a name that climbs out, each with its reason, and imports the rest', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox);
      const folder = join(home.dir, 'mixed');
      mkdirSync(folder);
      const good = run('2016-05-05', 70);
      writeFileSync(join(folder, 'good.fit.gz'), gz(good));
      writeFileSync(join(folder, 'bomb.fit.gz'), gzipBomb(200));
      writeFileSync(join(folder, 'cut.fit.gz'), gz(run('2016-05-06', 71)).subarray(0, 200));
      writeFileSync(join(folder, 'slip.zip'), craftZip([honest('../../evil.fit', run('2016-05-07', 72))]));
      const { preview, result } = await importJson(home, [folder]);
      const reasons = Object.fromEntries((preview.problems as Array<{ path: string; reason: string }>).map((p) => [p.path.slice(folder.length + 1), p.reason]));
      expect(reasons).toMatchObject({ 'bomb.fit.gz': "expands more than 100:1 (a compression bomb's ratio)", 'cut.fit.gz': 'truncated: the compressed data ends early' });
      expect(Object.entries(reasons).find(([path]) => path.startsWith('slip.zip'))?.[1]).toMatch(/^refused: unsafe name/);
      expect(result).toMatchObject({ uploaded: 1, failed: [], pending: 0 });
      expect((await listActivities(sandbox)).map((a) => a.sha256)).toEqual([sha(good)]);
    } finally {
      await sandbox.close();
    }
  });
});

describe('mmt-sync import: usage', () => {
  it('says what is wrong with the path or the dates, exit 2, before anything is read or sent', async () => {
    const home = makeHome({ baseUrl: 'http://127.0.0.1:9/api/v3/', clientId: 'c', clientSecret: 's' }, YAML);
    const missing = await runCli(['import', join(home.dir, 'nope.zip')], home.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.zip: no such file or folder');
    const dates = await runCli(['import', home.dir, '--since', '2024-01-01', '--until', '2023-01-01'], home.env);
    expect(dates.code).toBe(2);
    expect(dates.stderr).toContain('--until (2023-01-01) must come after --since (2024-01-01)');
    const bad = await runCli(['import', home.dir, '--until', 'yesterday'], home.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--until: expected a date like 2026-01-31');
  });
});

describe('mmt-sync import on a terminal', () => {
  it('shows the preview, then a progress bar with an ETA, then the summary', async () => {
    const sandbox = await startSandbox({ latencyMs: 50 });
    try {
      const home = await loggedIn(sandbox);
      const folder = join(home.dir, 'old-rides');
      mkdirSync(folder);
      for (let i = 0; i < 4; i++) writeFileSync(join(folder, `${i}.fit`), ride(`2017-0${i + 1}-10`, 60 + i));
      const result = await runCliInPty(['import', folder], { ...home.env, TERM: 'xterm-256color' });
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toContain('activity files, 4 activity files');
      expect(result.stdout).toMatch(/2017\s+4\s+cycling 4/);
      expect(result.stdout).toMatch(/uploading \[.*\] \d\/4 files .* ETA /);
      expect(result.stdout).toMatch(/uploaded\s+4/);
      expect(await listActivities(sandbox)).toHaveLength(4);
    } finally {
      await sandbox.close();
    }
  });
});

describe('mmt-sync import: paced and resumable', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ride(`2022-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(i / 12)).padStart(2, '0')}`, 100 + i));

  async function exportOf(home: TestHome, fits: Uint8Array[]): Promise<string> {
    const zip = join(home.dir, 'export.zip');
    writeFileSync(zip, await zipOf(fits.map((data, i) => ({ name: `activities/${i}.fit.gz`, data: gz(data) }))));
    return zip;
  }

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`after ${signal} mid-way, the same command sends the rest and nothing twice`, async () => {
      const sandbox = await startSandbox({ latencyMs: 150 });
      try {
        const home = await loggedIn(sandbox, `${YAML}import:\n  startPerMin: 300\n`);
        const fits = many(16);
        const zip = await exportOf(home, fits);
        const first = startCli(['import', zip], home.env);
        await waitFor('three uploads', async () => ((await listActivities(sandbox)).length >= 3 ? true : undefined));
        first.child.kill(signal);
        const stopped = await first.done;
        if (signal === 'SIGINT') {
          expect(stopped.code, stopped.stderr).toBe(1);
          expect(stopped.stderr).toMatch(/import interrupted: (\d+) not sent yet; run the same command again/);
        } else expect(stopped.signal).toBe('SIGKILL');
        const sentBefore = (await listActivities(sandbox)).length;
        expect(sentBefore).toBeLessThan(fits.length);
        // Ctrl-C lets the uploads in flight finish: what it says is left is exactly what is left.
        if (signal === 'SIGINT') expect(Number(/(\d+) not sent yet/.exec(stopped.stderr)![1])).toBe(fits.length - sentBefore);

        const { result } = await importJson(home, [zip]);
        expect(result).toMatchObject({ pending: 0, failed: [] });
        // An upload cut off by the kill may be answered "exists" once; nothing is sent twice as new.
        expect(result!.uploaded + result!.alreadyThere).toBe(fits.length - sentBefore + result!.alreadyThere);
        expect(result!.alreadyThere).toBeLessThanOrEqual(signal === 'SIGKILL' ? 1 : 0);
        const up = await listActivities(sandbox);
        expect(up.map((a) => a.sha256).sort()).toEqual(fits.map(sha).sort());
        const stats = await readStats(sandbox);
        expect(stats.requests.uploadActivity).toBeLessThanOrEqual(fits.length + (signal === 'SIGKILL' ? 1 : 0));
      } finally {
        await sandbox.close();
      }
    });
  }

  it("meets a server's rate limit: waits out Retry-After, slows down, sends everything", async () => {
    // A window of 2 s instead of a minute keeps the test short; the pace starts too fast on purpose.
    const sandbox = await startSandbox({ rateLimitPerMin: 6, rateWindowMs: 2000 });
    try {
      const home = await loggedIn(sandbox, `${YAML}import:\n  startPerMin: 600\n`);
      const fits = many(24);
      const zip = await exportOf(home, fits);
      const { result } = await importJson(home, [zip]);
      expect(result).toMatchObject({ uploaded: fits.length, pending: 0, failed: [] });
      expect(result!.rateLimited).toBeGreaterThan(0);
      const stats = await readStats(sandbox);
      expect(stats.faults.rateLimited).toBe(result!.rateLimited);
      // Each 429 slows the pace: far fewer refusals than uploads.
      expect(result!.rateLimited).toBeLessThan(fits.length / 2);
      // Retry-After is waited out: no upload arrives inside a 429's pause (one sent before
      // the answer came back, with two uploads in flight, arrives within moments of it).
      const uploads = stats.log.filter((e) => e.path.endsWith('/uploadActivity'));
      const early = uploads.filter((e) =>
        uploads.some((refused) => refused.status === 429 && refused.retryAfter !== undefined && e.t > refused.t + 100 && e.t < refused.t + refused.retryAfter * 1000 - 50),
      );
      expect(early).toEqual([]);
      expect((await listActivities(sandbox)).map((a) => a.sha256).sort()).toEqual(fits.map(sha).sort());
    } finally {
      await sandbox.close();
    }
  });
});
