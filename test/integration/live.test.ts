/**
 * `mmt-sync live` end to end: the built CLI as a child process, a real gpsd
 * fed by gpsfake, files appended while they are followed, and the sandbox
 * over HTTP (with injected faults, an outage, and a kill -9 in between).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ActivityView, RequestLogEntry, RunningSandbox, SandboxOptions, SandboxTuning } from '../../src/sandbox/server.js';
import { accountName } from '../../src/auth/token-store.js';
import { LiveBuffer } from '../../src/live/buffer.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities, readStats } from '../../src/sandbox/testkit.js';
import { makeHome, startCli, type CliResult, type RunningCli, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { freePort } from '../helpers/net.js';

const NMEA_LOG = fileURLToPath(new URL('../fixtures/nmea/park-loop-10min.nmea', import.meta.url));
interface Fix {
  readonly lat: number;
  readonly lon: number;
  readonly ele: number;
  readonly time: number;
}
const FIXES: readonly Fix[] = JSON.parse(readFileSync(new URL('../fixtures/nmea/park-loop-10min.expected.json', import.meta.url), 'utf8'));
/** Small retry delays through the config, not by mocking time (house style 10). */
const FAST = 'retry:\n  baseDelayS: 0.1\n  maxDelayS: 1\n';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function loggedIn(api: { baseUrl: string; clientId: string; clientSecret: string }): Promise<TestHome> {
  const home = makeHome(api, FAST);
  const login = await scriptedLogin(home);
  expect(login.result.code, login.result.stderr).toBe(0);
  return home;
}

async function liveActivities(sandbox: RunningSandbox): Promise<ActivityView[]> {
  return (await listActivities(sandbox)).filter((a) => a.live);
}

/** The CLI's end, failing the test (with its stderr) instead of hanging when it does not come. */
async function finished(cli: RunningCli, timeoutMs = 40_000): Promise<CliResult> {
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  const result = await cli.done;
  clearTimeout(timer);
  if (result.signal === 'SIGKILL') throw new Error(`mmt-sync live did not finish within ${timeoutMs / 1000} s:\n${result.stderr}`);
  return result;
}

/** Every fix arrived, in order, once: the loc array is exactly the expected one. */
function expectTrack(activity: ActivityView, fixes: readonly Fix[]): void {
  const loc = activity.loc as Array<{ lat: number; lon: number; ele?: number; timestamp: number; unix_timestamp: number }>;
  const times = loc.map((p) => p.timestamp);
  expect(new Set(times).size, 'a point arrived twice').toBe(times.length);
  expect(times).toEqual(fixes.map((f) => f.time));
  loc.forEach((p, i) => {
    const fix = fixes[i]!;
    expect(Math.abs(p.lat - fix.lat), `lat of point ${i}`).toBeLessThan(1e-7);
    expect(Math.abs(p.lon - fix.lon), `lon of point ${i}`).toBeLessThan(1e-7);
    expect(p.ele, `ele of point ${i}`).toBeCloseTo(fix.ele, 6);
    expect(p.unix_timestamp).toBe(p.timestamp);
  });
  expect(activity).toMatchObject({ live: true, state: 'stopped', points: fixes.length });
}

function gpxHeader(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="live test" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
 <trk><name>Morning run</name><type>running</type><trkseg>
`;
}

const heartRate = (i: number) => 120 + (i % 40);

function gpxPoint(fix: Fix, i: number): string {
  return `  <trkpt lat="${fix.lat}" lon="${fix.lon}"><ele>${fix.ele}</ele><time>${new Date(fix.time * 1000).toISOString()}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>${heartRate(i)}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>\n`;
}

const GPX_FOOTER = ' </trkseg></trk>\n</gpx>\n';

/** Appends text in pieces that cut through elements and lines, the way a writer's buffer flushes. */
async function appendSlowly(path: string, text: string, pieces: number, totalMs: number): Promise<void> {
  let at = 0;
  for (let i = 1; i <= pieces; i++) {
    const end = i === pieces ? text.length : Math.floor((text.length * i) / pieces) + (i % 3) * 7;
    appendFileSync(path, text.slice(at, Math.max(at, end)));
    at = Math.max(at, end);
    await sleep(totalMs / pieces);
  }
}

const hasGpsfake = spawnSync('sh', ['-c', 'command -v gpsfake && (command -v gpsd || test -x /usr/sbin/gpsd)']).status === 0;
const requireGpsd = process.env.MMT_SYNC_REQUIRE_GPSD === '1';

describe('mmt-sync live', () => {
  it.runIf(hasGpsfake || requireGpsd)('sends every fix gpsd reports from a replayed 10-minute NMEA log, in order, once, then stops when gpsd goes away', async () => {
    expect(hasGpsfake, 'gpsfake and gpsd are needed: apt-get install gpsd gpsd-clients').toBe(true);
    const sandbox = await startSandbox({});
    const scratch = mkdtempSync(join(tmpdir(), 'mmt-gpsfake-'));
    let gpsfake: ChildProcess | undefined;
    let gpsfakeExit: Promise<unknown> | undefined;
    let port = 0;
    try {
      const home = await loggedIn(sandbox);
      port = await freePort();
      const started = Date.now();
      // mmt-sync first: it waits for gpsd, so it is watching before the first sentence is fed.
      const cli = startCli(['live', '--gpsd', `127.0.0.1:${port}`, '--interval', '1', '--type', 'running', '--json'], home.env);
      await waitFor('mmt-sync to wait for gpsd', () => /waiting for gpsd/.test(cli.output().stderr));
      // -n: gpsd reads the fake device at once; -1: the log once; -c: 3 ms per sentence (≈ 100 x real time);
      // -W 1: gpsfake (and its gpsd) end a second after the log is out: "gpsd gone".
      gpsfake = spawn('gpsfake', ['-n', '-1', '-q', '-W', '1', '-c', '0.003', '-P', String(port), NMEA_LOG], {
        stdio: 'ignore',
        // TMPDIR: where gpsfake puts gpsd's control socket (it leaves it behind).
        env: { ...process.env, TMPDIR: scratch, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
      });
      gpsfakeExit = new Promise((resolve) => gpsfake!.once('exit', resolve));
      const result = await finished(cli);
      const elapsedS = (Date.now() - started) / 1000;
      expect(result.code, result.stderr).toBe(0);

      const [activity, ...others] = await liveActivities(sandbox);
      expect(others).toEqual([]);
      expectTrack(activity!, FIXES);
      expect(activity).toMatchObject({ type: 'running', status: 'private' });
      const summary = JSON.parse(result.stdout) as { sent: number; batches: number; end: string; stopped: boolean; activityId: string };
      expect(summary).toMatchObject({ sent: 600, end: 'gone', stopped: true, activityId: String(activity!.id) });
      // One request per --interval however fast fixes come (plus the final one).
      expect(summary.batches).toBeLessThanOrEqual(Math.ceil(elapsedS) + 2);
      const stats = await readStats(sandbox);
      console.info(`gpsd: ${summary.sent} points in ${summary.batches} batches, ${elapsedS.toFixed(1)} s; requests ${JSON.stringify(stats.requests)}`);
    } finally {
      gpsfake?.kill('SIGTERM');
      await gpsfakeExit;
      // gpsd exports fixes in a SysV shared memory segment keyed by its port, and leaves it behind.
      if (port) spawnSync('ipcrm', ['-M', `0x4770${port.toString(16).toUpperCase().padStart(4, '0')}`], { stdio: 'ignore' });
      rmSync(scratch, { recursive: true, force: true });
      await sandbox.close();
    }
  });

  it('follows a GPX another program is still writing: every point with its heart rate, in order, once; stops after --idle-stop', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox);
      const track = join(mkdtempSync(join(tmpdir(), 'mmt-live-')), 'ride.gpx');
      writeFileSync(track, gpxHeader());
      const fixes = FIXES.slice(0, 240);
      const started = Date.now();
      const cli = startCli(['live', '--follow', track, '--interval', '1', '--idle-stop', '2', '--title', 'Evening loop', '--json'], home.env);
      await appendSlowly(track, fixes.map(gpxPoint).join(''), 40, 4_000);
      appendFileSync(track, GPX_FOOTER);
      const result = await finished(cli);
      const elapsedS = (Date.now() - started) / 1000;
      expect(result.code, result.stderr).toBe(0);

      const [activity, ...others] = await liveActivities(sandbox);
      expect(others).toEqual([]);
      expectTrack(activity!, fixes);
      expect(activity!.name).toBe('Evening loop');
      expect(activity!.hr).toEqual(fixes.map((f, i) => ({ hr: heartRate(i), timestamp: f.time, unix_timestamp: f.time })));
      const summary = JSON.parse(result.stdout) as { batches: number; end: string };
      expect(summary.end).toBe('idle');
      // Batches follow the interval: more than one while the file grew, far fewer than the points.
      expect(summary.batches).toBeGreaterThanOrEqual(2);
      expect(summary.batches).toBeLessThan(20);
      console.info(`follow GPX: ${fixes.length} points in ${summary.batches} batches, ${elapsedS.toFixed(1)} s`);
    } finally {
      await sandbox.close();
    }
  });

  it('gets every point through 30 % injected faults and a 3 s outage of the server, in order, exactly once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mmt-live-sandbox-'));
    const options: SandboxOptions = { dataDir, clientId: 'live-test', clientSecret: 'live-test-secret', failRate: 0.3, seed: 7 };
    let outage: Promise<void> | undefined;
    let sandbox: RunningSandbox | undefined;
    let updatesOk = 0;
    const tuning: SandboxTuning = {
      // The outage begins right after an update went through, so no request is cut in half: a
      // request the server stored but whose reply was lost would be sent again (see sender.ts).
      onRequest: (entry: RequestLogEntry) => {
        if (outage || entry.path !== '/api3/updateActivity' || entry.status !== 200 || ++updatesOk < 3) return;
        const first = sandbox!;
        outage = (async () => {
          await first.close();
          await sleep(3_000);
          sandbox = await startSandbox({ ...options, port: Number(new URL(first.baseUrl).port) });
        })();
      },
    };
    sandbox = await startSandbox({ ...options, ...tuning });
    try {
      const home = await loggedIn(sandbox);
      const track = join(mkdtempSync(join(tmpdir(), 'mmt-live-')), 'track.nmea');
      writeFileSync(track, '');
      const started = Date.now();
      const cli = startCli(['live', '--follow', track, '--interval', '1', '--idle-stop', '2', '--json'], home.env);
      await appendSlowly(track, readFileSync(NMEA_LOG, 'latin1'), 80, 8_000);
      const result = await finished(cli);
      const elapsedS = (Date.now() - started) / 1000;
      expect(outage, 'the outage never happened').toBeDefined();
      await outage;
      expect(result.code, result.stderr).toBe(0);

      const [activity, ...others] = await liveActivities(sandbox);
      expect(others).toEqual([]);
      expectTrack(activity!, FIXES);
      const summary = JSON.parse(result.stdout) as { batches: number; retries: number };
      expect(summary.retries).toBeGreaterThan(0);
      expect(result.stderr).toMatch(/ECONNREFUSED|fetch failed|socket/);
      console.info(`faults + outage: 600 points in ${summary.batches} batches with ${summary.retries} retries, ${elapsedS.toFixed(1)} s`);
    } finally {
      await outage;
      await sandbox?.close();
    }
  });

  it('resumes the same activity after kill -9: buffered points go up, nothing lost, nothing twice', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox);
      const track = join(mkdtempSync(join(tmpdir(), 'mmt-live-')), 'hike.gpx');
      writeFileSync(track, gpxHeader());
      const fixes = FIXES.slice(0, 300);
      const args = ['live', '--follow', track, '--interval', '1', '--idle-stop', '2', '--type', 'hiking', '--json'];
      const first = startCli(args, home.env);
      // The writer adds 5 points every 100 ms until mmt-sync is killed, however long that takes.
      let written = 0;
      let stopWriting = false;
      const writing = (async () => {
        while (!stopWriting && written < 250) {
          appendFileSync(track, fixes.slice(written, written + 5).map((f, i) => gpxPoint(f, written + i)).join(''));
          written += 5;
          await sleep(100);
        }
      })();
      const before = await waitFor('a batch after the start', async () => {
        const [a] = await liveActivities(sandbox);
        return a && a.points! > 20 ? a : undefined;
      });
      // Strike between two batches (they go every second): after one was answered and recorded,
      // while the writer goes on and the next points wait in the buffer.
      await waitFor('the next batch', async () => ((await liveActivities(sandbox))[0]!.points! > before.points! ? true : undefined));
      await sleep(400);
      first.child.kill('SIGKILL');
      const killed = await first.done;
      stopWriting = true;
      await writing;
      expect(killed.signal).toBe('SIGKILL');
      const atKill = (await liveActivities(sandbox))[0]!;
      expect(atKill.state).toBe('live');
      const buffer = LiveBuffer.open(home.stateDir);
      const [session] = buffer.openSessions(accountName(sandbox.baseUrl, sandbox.clientId));
      buffer.close();
      expect(session!.sent).toBe(atKill.points);
      expect(session!.received, 'points were waiting in the buffer at the kill').toBeGreaterThan(session!.sent);

      // The writer goes on while mmt-sync is down, and after it is back.
      appendFileSync(track, fixes.slice(written, written + 20).map((f, i) => gpxPoint(f, written + i)).join(''));
      written += 20;
      const second = startCli(args, home.env);
      await appendSlowly(track, fixes.slice(written).map((f, i) => gpxPoint(f, written + i)).join('') + GPX_FOOTER, 10, 1_000);
      const result = await finished(second);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/resuming live session/);

      const [activity, ...others] = await liveActivities(sandbox);
      expect(others).toEqual([]);
      expect(activity!.id).toBe(atKill.id);
      expectTrack(activity!, fixes);
      const summary = JSON.parse(result.stdout) as { resumed: boolean; activityId: string; sent: number };
      expect(summary).toMatchObject({ resumed: true, activityId: String(atKill.id), sent: 300 });
      console.info(`kill -9 with ${session!.sent} points sent and ${session!.received - session!.sent} buffered; resumed activity ${atKill.id}, finished with 300`);
    } finally {
      await sandbox.close();
    }
  });

  it('keeps one live run per account (a second one exits 2) and on SIGTERM sends what is left, then stops', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox);
      const track = join(mkdtempSync(join(tmpdir(), 'mmt-live-')), 'walk.nmea');
      const log = readFileSync(NMEA_LOG, 'latin1');
      // Up to a whole epoch (RMC, GGA, then GSA), so the last fix has its altitude too.
      writeFileSync(track, log.slice(0, log.indexOf('$GPGSA', 40_000)));
      const cli = startCli(['live', '--follow', track, '--interval', '30', '--json'], home.env);
      await waitFor('the file to be read', () => /live from/.test(cli.output().stderr));
      const second = await finished(startCli(['live', '--gpsd', '127.0.0.1:9', '--interval', '1'], home.env));
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(/already sending a live activity for this account/);

      await sleep(500);
      cli.child.kill('SIGTERM');
      const result = await finished(cli);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as { sent: number; batches: number; end: string; stopped: boolean };
      // Nothing went up during the 30 s interval: the stop request sent it all in one batch.
      expect(summary).toMatchObject({ end: 'aborted', stopped: true, batches: 1 });
      const [activity] = await liveActivities(sandbox);
      expect(summary.sent).toBeGreaterThan(100);
      expectTrack(activity!, FIXES.slice(0, summary.sent));
    } finally {
      await sandbox.close();
    }
  });
});
