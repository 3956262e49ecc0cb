/**
 * A hostile source folder through `mmt-sync scan --folder DIR --json` (the real CLI):
 * symlink loops, symlinks out of the root (to /etc/passwd, to a canary file and
 * directory), a FIFO, a character device and a socket named `.fit`, a 100 GB sparse
 * file, a file that grows forever while the scan runs. The scan must finish, refuse
 * or skip each with a reason, take in the good file, and never open anything outside
 * the root (checked with strace when it is available, and with atime when the
 * filesystem records reads).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, openSync, closeSync, ftruncateSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettled } from '../../src/intake/read.js';
import { Journal } from '../../src/journal/journal.js';
import type { FileRecord } from '../../src/journal/rows.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { CLI, makeHome, type TestHome } from '../helpers/cli.js';

const API = { baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'c', clientSecret: 'unused-secret' };
const CONFIG = 'intake:\n  settleS: 0.2\n  backfill: all\ndevices:\n  autoDetect: false\n';
const NOT_REGULAR = 'not a regular file';
const OUTSIDE = 'symlink leads outside the source';
/** No scan of a dozen entries takes this long unless something blocks. */
const BLOCKED_MS = 30_000;

const HAS_STRACE = spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0;

interface ScanRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly blocked: boolean;
  /** Paths the CLI opened or tried to open (with strace), else undefined. */
  readonly opened: string[] | undefined;
}

/** `mmt-sync scan --json --folder root`, under strace -f when available; killed if it blocks. */
function scan(home: TestHome, root: string): Promise<ScanRun> {
  const straceLog = join(home.dir, 'strace.log');
  const args = ['scan', '--json', '--folder', root];
  const [command, argv] = HAS_STRACE
    ? ['strace', ['-f', '-qq', '-e', 'trace=open,openat,openat2,creat', '-o', straceLog, process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  return new Promise((resolve) => {
    const child = spawn(command as string, argv as string[], { env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let blocked = false;
    const timer = setTimeout(() => {
      blocked = true;
      child.kill('SIGKILL');
    }, BLOCKED_MS);
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => {
      clearTimeout(timer);
      let opened: string[] | undefined;
      if (HAS_STRACE) {
        opened = [];
        for (const line of readFileSync(straceLog, 'utf8').split('\n')) {
          // Failed attempts count too: trying to open a FIFO is the mistake, whatever the result.
          const m = /(?:openat2?)\((?:AT_FDCWD|\d+), "([^"]*)"|(?:open|creat)\("([^"]*)"/.exec(line);
          if (m) opened.push(m[1] ?? m[2]!);
        }
      }
      resolve({ code, stdout, stderr, blocked, opened });
    });
  });
}

function journalRows(home: TestHome): FileRecord[] {
  const journal = Journal.open(home.stateDir);
  try {
    return journal.list();
  } finally {
    journal.close();
  }
}

function spoolContents(home: TestHome): Buffer[] {
  const spool = join(home.stateDir, 'spool');
  try {
    return readdirSync(spool).map((f) => readFileSync(join(spool, f)));
  } catch {
    return [];
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('a source folder full of traps, scanned while a file in it grows forever', () => {
  let root: string;
  let outside: string;
  let canary: Uint8Array;
  let canaryPath: string;
  let good: Uint8Array;
  let hasDevice = false;
  let atimeWorks = false;
  const OLD = new Date('2001-01-01T00:00:00Z');
  let socketServer: Server;
  let grower: NodeJS.Timeout;
  let run: ScanRun;
  let home: TestHome;
  let report: { files: number; queued: number; notSettled: number; refused: number; problems: Array<{ path: string; reason: string }> };

  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'mmt-sync-hostile-fs-'));
    root = join(base, 'source');
    outside = join(base, 'outside');
    mkdirSync(root);
    mkdirSync(join(outside, 'private'), { recursive: true });
    const recent = new Date(Date.now() - 3_600_000);
    good = generateFitActivity({ start: recent, durationS: 120, serial: 101 });
    canary = generateFitActivity({ start: recent, durationS: 120, serial: 202 });
    canaryPath = join(outside, 'canary.fit');
    writeFileSync(join(root, 'good.fit'), good);
    writeFileSync(canaryPath, canary);
    writeFileSync(join(outside, 'private', 'inner.fit'), canary);

    symlinkSync('self.fit', join(root, 'self.fit'));
    symlinkSync('pong.fit', join(root, 'ping.fit'));
    symlinkSync('ping.fit', join(root, 'pong.fit'));
    symlinkSync('.', join(root, 'loopdir'));
    mkdirSync(join(root, 'sub'));
    symlinkSync('..', join(root, 'sub', 'up'));
    symlinkSync('/etc/passwd', join(root, 'passwd.fit'));
    symlinkSync(canaryPath, join(root, 'canary.fit'));
    symlinkSync(join('..', basename(outside), 'canary.fit'), join(root, 'rel-canary.fit'));
    symlinkSync(outside, join(root, 'outdir'));
    symlinkSync('nowhere.fit', join(root, 'dangling.fit'));
    symlinkSync('good.fit', join(root, 'inside-link.fit'));
    execFileSync('mkfifo', [join(root, 'pipe.fit')]);
    symlinkSync('pipe.fit', join(root, 'fifo-link.fit'));
    try {
      execFileSync('mknod', [join(root, 'null.fit'), 'c', '1', '3'], { stdio: 'ignore' });
      hasDevice = true;
    } catch {
      hasDevice = false; // not root, or no CAP_MKNOD in this container
    }
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer.listen(join(root, 'sock.fit'), resolve));
    mkdirSync(join(root, 'dir.fit'));
    const sparse = openSync(join(root, 'sparse.fit'), 'w');
    ftruncateSync(sparse, 100 * 2 ** 30);
    closeSync(sparse);

    // atime as a witness of reads: only where a read of a file with an old atime updates it.
    const probe = join(outside, 'probe');
    writeFileSync(probe, 'x');
    utimesSync(probe, OLD, new Date());
    readFileSync(probe);
    atimeWorks = statSync(probe).atimeMs > OLD.getTime();
    utimesSync(canaryPath, OLD, new Date());

    writeFileSync(join(root, 'grow.fit'), good.subarray(0, 100));
    grower = setInterval(() => appendFileSync(join(root, 'grow.fit'), new Uint8Array(1000).fill(0x41)), 50);

    home = makeHome(API, CONFIG);
    run = await scan(home, root);
    if (!run.blocked && run.code === 0) report = JSON.parse(run.stdout) as typeof report;
  }, 120_000);

  afterAll(async () => {
    clearInterval(grower);
    await new Promise((resolve) => socketServer.close(resolve));
  });

  it('finishes (nothing blocks) and exits 0', () => {
    expect(run.blocked, `the scan was still running after ${BLOCKED_MS} ms`).toBe(false);
    expect(run.code, run.stderr).toBe(0);
  });

  it('refuses each trap with its reason, in the scan report and the journal', () => {
    const reasons = new Map(report.problems.map((p) => [p.path.slice(root.length + 1), p.reason]));
    const expected: Record<string, string> = {
      'pipe.fit': NOT_REGULAR,
      'fifo-link.fit': NOT_REGULAR,
      'sock.fit': NOT_REGULAR,
      'passwd.fit': OUTSIDE,
      'canary.fit': OUTSIDE,
      'rel-canary.fit': OUTSIDE,
      outdir: OUTSIDE,
      'dangling.fit': 'symlink target is missing',
      'sparse.fit': 'file is larger than the 64 MB cap',
      ...(hasDevice ? { 'null.fit': NOT_REGULAR } : {}),
    };
    for (const [name, reason] of Object.entries(expected)) expect(reasons.get(name), name).toBe(reason);
    const rows = new Map(journalRows(home).map((r) => [r.relPath, r]));
    for (const [name, reason] of Object.entries(expected)) {
      expect(rows.get(name), name).toMatchObject({ state: 'skipped', reason, sha256: null });
    }
  });

  it('takes in the good file once (a symlink to it inside the root adds nothing); the growing file is "not settled" and not taken', () => {
    expect(report.queued).toBe(1);
    expect(report.notSettled).toBeGreaterThanOrEqual(1);
    const rows = journalRows(home);
    const good1 = rows.filter((r) => r.sha256 === sha256(good));
    expect(good1.map((r) => [r.relPath, r.state])).toEqual([['good.fit', 'queued']]);
    expect(rows.find((r) => r.relPath === 'grow.fit')?.sha256 ?? null).toBeNull();
    expect(rows.filter((r) => r.relPath.startsWith('loopdir/') || r.relPath.includes('/up/'))).toEqual([]);
  });

  it('reads nothing outside the root: no journal row, spool file or output carries the canary or /etc/passwd', () => {
    const rows = journalRows(home);
    expect(rows.filter((r) => r.sha256 === sha256(canary) || r.relPath.startsWith('outdir/'))).toEqual([]);
    const passwd = readFileSync('/etc/passwd');
    expect(rows.filter((r) => r.sha256 === sha256(passwd))).toEqual([]);
    for (const bytes of spoolContents(home)) {
      expect(Buffer.compare(bytes, Buffer.from(canary))).not.toBe(0);
      expect(bytes.includes('root:')).toBe(false);
    }
    expect(`${run.stdout}${run.stderr}`).not.toContain('root:');
    if (atimeWorks) expect(statSync(canaryPath).atimeMs, 'the canary outside the root was read').toBe(OLD.getTime());
  });

  it.skipIf(!HAS_STRACE)('never opens the FIFO, the device, the socket, the sparse file or anything outside the root (strace)', () => {
    const forbidden = [join(root, 'pipe.fit'), join(root, 'fifo-link.fit'), join(root, 'null.fit'), join(root, 'sock.fit'), join(root, 'sparse.fit'), join(root, 'passwd.fit'), join(root, 'canary.fit'), canaryPath, join(outside, 'private', 'inner.fit')];
    expect(run.opened!.length).toBeGreaterThan(0);
    expect(run.opened!.filter((p) => forbidden.includes(p) || p.startsWith(`${outside}/`))).toEqual([]);
    expect(run.opened).toContain(join(root, 'good.fit'));
  });

  it('reports each symlink loop with a reason instead of dropping it silently', () => {
    const said = `${JSON.stringify(report.problems)}\n${run.stderr}`;
    for (const name of ['self.fit', 'ping.fit', 'pong.fit', 'loopdir', 'sub/up']) expect(said, `${name} is not mentioned`).toContain(join(root, name));
  });
});

describe('reading a file that is not what the walk saw', () => {
  it('readSettled on a FIFO, a device, a socket and a growing file returns at once: refused or changed, never blocked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmt-sync-hostile-read-'));
    const fifo = join(dir, 'x.fit');
    execFileSync('mkfifo', [fifo]);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 's.fit'), resolve));
    const stillWritten = join(dir, 'g.fit');
    writeFileSync(stillWritten, 'abc');
    const seen = statSync(stillWritten);
    appendFileSync(stillWritten, 'more');
    try {
      const deadline = (p: Promise<unknown>) => Promise.race([p, new Promise((resolve) => setTimeout(() => resolve('blocked'), 5_000))]);
      expect(await deadline(readSettled(fifo, { size: 0, mtimeMs: 0 }, 1 << 20))).toEqual({ kind: 'refused', reason: NOT_REGULAR });
      expect(await deadline(readSettled('/dev/zero', { size: 0, mtimeMs: 0 }, 1 << 20))).toEqual({ kind: 'refused', reason: NOT_REGULAR });
      expect(await deadline(readSettled(join(dir, 's.fit'), { size: 0, mtimeMs: 0 }, 1 << 20))).toMatchObject({ kind: expect.stringMatching(/refused|unreadable/) });
      expect(await deadline(readSettled(stillWritten, { size: seen.size, mtimeMs: seen.mtimeMs }, 1 << 20))).toEqual({ kind: 'changed' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a file whose name is not valid UTF-8', () => {
  it('is taken in or reported, never silently lost', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mmt-sync-hostile-name-'));
    const fit = generateFitActivity({ start: new Date(Date.now() - 3_600_000), durationS: 120, serial: 303 });
    writeFileSync(Buffer.concat([Buffer.from(`${root}/caf`), Buffer.from([0xe9]), Buffer.from('.fit')]), fit);
    const home = makeHome(API, CONFIG);
    const result = await scan(home, root);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { files: number; problems: Array<{ path: string; reason: string }> };
    const taken = journalRows(home).some((r) => r.sha256 === sha256(fit));
    const reported = out.problems.some((p) => p.path.includes('caf')) || result.stderr.includes('caf');
    expect(taken || reported, `scan found ${out.files} files, took in nothing and said nothing: ${result.stdout}`).toBe(true);
  });
});
