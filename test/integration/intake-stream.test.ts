/**
 * The intake streaming into uploads, against the real sandbox: a file goes up while the
 * scan is still reading others; the newest leaves first; each file is opened once and
 * its folder listed once; a first plug-in's old files wait unread until asked for.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MmtClient } from '../../src/api/client.js';
import { openAccount } from '../../src/auth/account.js';
import { loadConfig } from '../../src/config/load.js';
import type { Candidate } from '../../src/intake/candidate.js';
import { listSources } from '../../src/intake/list.js';
import { runIntake } from '../../src/intake/pipeline.js';
import { emptyReport } from '../../src/intake/report.js';
import { Journal } from '../../src/journal/journal.js';
import { Spool } from '../../src/journal/spool.js';
import { silentLogger } from '../../src/log.js';
import { Uploader } from '../../src/queue/uploader.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities, readStats } from '../../src/sandbox/testkit.js';
import { folderSourceId, type Source } from '../../src/sources/source.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { CLI, makeHome, runCli, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Whole seconds: utimes takes float seconds.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const YAML = 'intake:\n  settleS: 0\n  backfill: all\nupload:\n  concurrency: 1\nretry:\n  onceWaitS: 5\n';

async function loggedIn(api: { baseUrl: string; clientId: string; clientSecret: string }, yaml = YAML): Promise<TestHome> {
  const home = makeHome(api, yaml);
  const login = await scriptedLogin(home);
  expect(login.result.code, login.result.stderr).toBe(0);
  return home;
}

/** An activity that started `startAgo` ms ago, in a file whose mtime is `mtimeAgo` ms ago. */
function activityFile(folder: string, name: string, serial: number, startAgo: number, mtimeAgo = startAgo): string {
  const path = join(folder, name);
  writeFileSync(path, generateFitActivity({ start: new Date(NOW - startAgo), durationS: 120, serial }));
  utimesSync(path, (NOW - mtimeAgo) / 1000, (NOW - mtimeAgo) / 1000);
  return path;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The content hashes of what reached the sandbox, in the order it arrived. */
async function arrivalOrder(sandbox: Awaited<ReturnType<typeof startSandbox>>): Promise<string[]> {
  const activities = await listActivities(sandbox);
  return activities.sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt)).map((a) => a.sha256 ?? '');
}

describe('intake streaming into uploads', () => {
  it('uploads a queued file while the scan is still reading others (the last read waits for that upload to arrive)', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox);
      const folder = mkdtempSync(join(tmpdir(), 'mmt-stream-'));
      for (let i = 0; i < 4; i++) activityFile(folder, `run-${i}.fit`, 100 + i, (i + 1) * HOUR);
      const { config } = loadConfig({ configFile: home.configFile, env: home.env });
      const journal = Journal.open(home.stateDir);
      const spool = new Spool(home.stateDir);
      try {
        const account = openAccount(config, home.stateDir, silentLogger);
        const uploader = new Uploader({
          journal,
          spool,
          client: new MmtClient(config, account.session, silentLogger),
          config,
          sources: new Map(),
          owner: 'test',
          log: silentLogger,
        });
        const source: Source = { id: folderSourceId(folder), kind: 'folder', root: folder, label: folder, poll: false };
        const report = emptyReport();
        let gateOpenedBy: 'an upload' | 'the timeout' | undefined;
        // The oldest file is read last; its read does not finish until the sandbox has an upload.
        async function* gated(): AsyncGenerator<Candidate> {
          for await (const candidate of listSources([source], journal, { maxFileBytes: 1 << 24, settleMs: 0, backfillCutoffMs: undefined }, report)) {
            if (!candidate.path.endsWith('run-3.fit')) {
              yield candidate;
              continue;
            }
            yield {
              ...candidate,
              bytes: {
                read: async (expected, max) => {
                  for (let waited = 0; !gateOpenedBy; waited += 20) {
                    if ((await listActivities(sandbox)).length > 0) gateOpenedBy = 'an upload';
                    else if (waited > 10_000) gateOpenedBy = 'the timeout';
                    else await new Promise((r) => setTimeout(r, 20));
                  }
                  return candidate.bytes.read(expected, max);
                },
              },
            };
          }
        }
        const intake = runIntake(gated(), journal, {
          maxFileBytes: 1 << 24,
          log: silentLogger,
          spool,
          onEvent: (event) => {
            if (event.type === 'taken' && event.outcome === 'queued') uploader.wake();
          },
        }, report);
        const result = await uploader.drain({ maxWaitMs: 5_000, feeding: intake });
        await intake;
        expect(gateOpenedBy).toBe('an upload');
        expect(result.uploaded).toBe(4);
        expect(report.queued).toBe(4);
      } finally {
        journal.close();
      }
    } finally {
      await sandbox.close();
    }
  });

  it('sends the newest activity first: by mtime while reading, by the decoded start once the files are journaled', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox);
      // Streaming: mtimes and starts agree; listing (name) order is the opposite.
      const folder = mkdtempSync(join(tmpdir(), 'mmt-newest-'));
      const hoursAgo = [2, 30, 5, 50, 9, 1];
      const shaByAge = new Map<number, string>();
      for (const [i, hours] of hoursAgo.entries()) {
        const path = activityFile(folder, `${String.fromCharCode(97 + i)}.fit`, 200 + i, hours * HOUR);
        shaByAge.set(hours, sha(path));
      }
      const sync = await runCli(['--once', '--folder', folder], home.env);
      expect(sync.code, sync.stderr).toBe(0);
      expect(await arrivalOrder(sandbox)).toEqual([...hoursAgo].sort((a, b) => a - b).map((h) => shaByAge.get(h)));

      // Journaled first (`scan`), mtimes all lying the other way round: the decoded start decides.
      const second = mkdtempSync(join(tmpdir(), 'mmt-newest-decoded-'));
      const starts = [3, 1, 2].map((days, i) => ({ days, path: activityFile(second, `s${i}.fit`, 300 + i, days * DAY, (4 - days) * DAY) }));
      expect((await runCli(['scan', '--folder', second], home.env)).code).toBe(0);
      const before = (await listActivities(sandbox)).length;
      expect((await runCli(['--once', '--folder', second], home.env)).code).toBe(0);
      const order = (await arrivalOrder(sandbox)).slice(before);
      expect(order).toEqual([...starts].sort((a, b) => a.days - b.days).map((s) => sha(s.path)));
    } finally {
      await sandbox.close();
    }
  });

  it('opens each activity file once and lists its folder once in a sync that uploads them all (strace)', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox);
      const folder = mkdtempSync(join(tmpdir(), 'mmt-opens-'));
      const paths = Array.from({ length: 8 }, (_, i) => activityFile(folder, `r${i}.fit`, 400 + i, (i + 1) * HOUR));
      const trace = join(home.dir, 'strace.txt');
      // Not spawnSync: the sandbox answering the uploads lives in this process.
      const run = await new Promise<{ code: number | null; stderr: string; error?: Error }>((resolve) => {
        const child = spawn('strace', ['-f', '-qq', '-e', 'trace=open,openat', '-o', trace, process.execPath, CLI, '--once', '--folder', folder], { env: home.env });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', (error) => resolve({ code: null, stderr, error }));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(run.error, 'strace is needed (apt-get install strace; .ci/run installs it)').toBeUndefined();
      expect(run.code, run.stderr).toBe(0);
      expect(await listActivities(sandbox)).toHaveLength(paths.length);
      const opens = readFileSync(trace, 'utf8').split('\n').filter((line) => !/ = -1 /.test(line));
      const count = (path: string) => opens.filter((line) => line.includes(`"${path}"`)).length;
      for (const path of paths) expect(count(path), path).toBe(1);
      expect(opens.filter((line) => line.includes(`"${folder}"`) && line.includes('O_DIRECTORY'))).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });

  it("leaves a first plug-in's old files unread, says so, and reads them when asked: --since for some, forget for one", async () => {
    const sandbox = await startSandbox({});
    try {
      const home = await loggedIn(sandbox, YAML.replace('backfill: all', 'backfill: 14d'));
      const folder = mkdtempSync(join(tmpdir(), 'mmt-unread-'));
      activityFile(folder, 'new.fit', 500, 2 * HOUR);
      for (const days of [30, 60, 90, 120]) activityFile(folder, `old-${days}.fit`, 500 + days, days * DAY);
      const first = await runCli(['--once', '--folder', folder, '--json'], home.env);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ uploaded: 1, scan: { baseline: 4, baselineUnread: 4 } });
      expect(first.stderr).toMatch(/4 older files were recorded as baseline .*4 of them judged by date alone without reading.*--since/);
      expect((await runCli(['status'], home.env)).stdout).toMatch(/4 baseline \(4 not read/);

      const since = new Date(NOW - 70 * DAY).toISOString().slice(0, 10);
      const second = await runCli(['--once', '--since', since, '--folder', folder, '--json'], home.env);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout).uploaded).toBe(2);

      const journal = Journal.open(home.stateDir);
      const oldest = journal.list().find((r) => r.relPath === 'old-120.fit')!;
      journal.close();
      expect(oldest).toMatchObject({ state: 'baseline', unread: true });
      const forget = await runCli(['forget', '--force', String(oldest.id)], home.env);
      expect(forget.code, forget.stderr).toBe(0);
      expect(forget.stdout).toMatch(/will be read and uploaded at the next sync/);
      expect((await runCli(['status', '--json'], home.env)).stdout).toMatch(/"requested": 1/);
      const third = await runCli(['--once', '--folder', folder, '--json'], home.env);
      expect(third.code, third.stderr).toBe(0);
      expect(JSON.parse(third.stdout).uploaded).toBe(1);
      expect((await readStats(sandbox)).requests.uploadActivity).toBe(4);
    } finally {
      await sandbox.close();
    }
  });
});
