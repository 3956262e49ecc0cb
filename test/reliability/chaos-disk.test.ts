/**
 * The state directory (journal, spool, tokens) on a small tmpfs:
 * - full during intake (the backlog is larger than the disk); full before a run starts
 *   (a filler took the last byte), with the journal closed and with it held open beside
 *   (as a running daemon would); full from the moment the first upload was answered;
 * - read-only (remounted ro) with new files waiting.
 * Each condition must stop with one clear line and a non-zero exit, corrupt nothing and
 * log nobody out; once it clears, a rerun uploads everything exactly once.
 * Needs root for mount(8); skipped (and said so) where it cannot mount.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { makeHome, runCli, type CliResult, type TestHome } from '../helpers/cli.js';
import {
  FULL,
  answeredExists,
  chaosYaml,
  crashed,
  delivery,
  login,
  neededLogin,
  readJournal,
  sleep,
  syncUntilDone,
  writeBacklog,
  type Backlog,
} from './lib/chaos-kit.js';
import { report } from './lib/chaos-report.js';
import { canMount, mountTmpfs, type SmallDisk } from './lib/chaos-mount.js';

const MOUNTABLE = canMount();
if (!MOUNTABLE) console.log('chaos-disk: skipped: mount(8) of a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN)');

/** ~83 KB files: 40 of them (3.3 MB) cannot fit a 2 MB state dir. */
const BATCH = FULL ? 80 : 40;
const TOKEN_TTL_S = 2;
const LOG_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z )?(error|warn|info|debug): \S/;

type Row = 'disk full (tmpfs state dir)' | 'read-only state dir';
const DISK: Row = 'disk full (tmpfs state dir)';
const READ_ONLY: Row = 'read-only state dir';

interface ConditionRun {
  readonly row: Row;
  readonly condition: string;
  readonly exit: number | null;
  /** The error line the user is shown. */
  readonly errorLines: string[];
  readonly strayLines: string[];
  readonly crashed: boolean;
  readonly neededLogin: boolean;
  readonly integrity: string;
}

function judge(row: Row, condition: string, result: CliResult, integrity: string): ConditionRun {
  const lines = result.stderr.split('\n').filter(Boolean);
  return {
    row,
    condition,
    exit: result.code,
    errorLines: lines.filter((l) => / error: /.test(` ${l}`)).map((l) => l.replace(/^\S+Z /, '')),
    strayLines: lines.filter((l) => !LOG_LINE.test(l)),
    crashed: crashed(result),
    neededLogin: neededLogin(result),
    integrity,
  };
}

describe.skipIf(!MOUNTABLE)(`state dir on a small tmpfs: full during intake, at start, during uploads; read-only (${BATCH}-file batches)`, () => {
  let sandbox: RunningSandbox;
  let disk: SmallDisk;
  let home: TestHome;
  const batches: Backlog[] = [];
  /** Which scenario each batch belongs to, for the figures of its row. */
  const batchRows = new Map<Backlog, Row>();
  const addBatch = (row: Row, serialBase: number, prefix: string) => {
    const batch = writeBacklog(folder, BATCH, { serialBase, durationS: 3_600, prefix });
    batches.push(batch);
    batchRows.set(batch, row);
    return batch;
  };
  const conditions: ConditionRun[] = [];
  const recoveries: Array<{ row: Row; after: string; runs: number; crashes: number; reLogins: number }> = [];
  let folder: string;
  let started: number;
  let onRequestStart: ((path: string) => void) | undefined;

  const recover = async (row: Row, after: string) => {
    const settled = await syncUntilDone(home, folder);
    recoveries.push({ row, after, runs: settled.runs, crashes: settled.crashes, reLogins: settled.reLogins });
  };
  const once = () => runCli(['--once', '--folder', folder], home.env);
  const journalIntegrity = () => {
    try {
      return readJournal(home.stateDir).integrity;
    } catch (error) {
      return `cannot open: ${(error as Error).message}`;
    }
  };

  beforeAll(async () => {
    started = Date.now();
    sandbox = await startSandbox({ tokenTtlS: TOKEN_TTL_S, onRequestStart: (path) => onRequestStart?.(path) });
    home = makeHome(sandbox, chaosYaml({ onceWaitS: 5 }));
    disk = mountTmpfs(join(home.dir, 'state'), '2m');
    await login(home);
    folder = join(mkdtempSync(join(tmpdir(), 'mmt-chaos-disk-')), 'Activity');
    mkdirSync(folder);
  });

  it('disk full during intake: one clear line, exit 1, journal intact; after growing the disk everything goes up once', async () => {
    addBatch(DISK, 40_000, 'full');
    // `scan` takes in without uploading: under `--once` the uploads that run beside the intake
    // empty the spool as fast as a loopback server answers, and the disk would not fill.
    const intakeOnly = () => runCli(['scan', '--folder', folder], home.env);
    const first = await intakeOnly();
    conditions.push(judge(DISK, 'full during intake', first, journalIntegrity()));
    const again = await intakeOnly();
    conditions.push(judge(DISK, 'still full, run again', again, journalIntegrity()));
    for (const run of conditions.slice(-2)) {
      expect(run.exit, run.errorLines.join('\n')).toBe(1);
      expect(run.crashed).toBe(false);
      expect(run.strayLines).toEqual([]);
      expect(run.errorLines.some((l) => /no space left|disk .*is full/i.test(l)), run.errorLines.join('\n')).toBe(true);
      expect(run.integrity).toBe('ok');
    }
    disk.resize('64m');
    await recover(DISK, 'full during intake');
    const activities = await listActivities(sandbox);
    expect(delivery(batches[0]!.shas, activities)).toEqual({ lost: 0, duplicated: 0 });
    expect(activities).toHaveLength(BATCH);
  }, 120_000);

  it('disk full before the run starts (every byte taken, journal closed): one clear line, exit 1, no stack', async () => {
    addBatch(DISK, 41_000, 'upl');
    // Taken in (journaled and spooled) now; uploaded later, once the disk has filled up.
    const scan = await runCli(['scan', '--folder', folder], home.env);
    expect(scan.code, scan.stderr).toBe(0);
    // tmpfs cannot shrink below what it holds, so the filler takes whatever is left instead.
    const filler = disk.fill();
    let result: CliResult;
    try {
      result = await once();
    } finally {
      disk.unfill();
    }
    // SQLite removes the -shm file when the last connection closes; on a full disk it cannot be made again.
    const run = judge(DISK, `full at start (filler ${Math.round(filler / 1024)} KB)`, result, journalIntegrity());
    conditions.push(run);
    expect(run.crashed, result.stderr.slice(-3000)).toBe(false);
    expect(run.strayLines).toEqual([]);
    expect(run.exit).toBe(1);
    expect(run.errorLines.some((l) => /no space left|disk .*is full/i.test(l)), run.errorLines.join('\n')).toBe(true);
    expect(run.integrity).toBe('ok');
  }, 120_000);

  it('disk full with the journal open beside (as a daemon holds it): clean stop; once space is back everything goes up once, the due refresh included', async () => {
    const beside = Journal.open(home.stateDir);
    let result: CliResult;
    let filler = 0;
    try {
      filler = disk.fill();
      await sleep(TOKEN_TTL_S * 1000);
      result = await once();
    } finally {
      beside.close();
      disk.unfill();
    }
    const run = judge(DISK, `full, journal open beside (filler ${Math.round(filler / 1024)} KB)`, result, journalIntegrity());
    conditions.push(run);
    expect(run.crashed, result.stderr.slice(-3000)).toBe(false);
    expect(run.strayLines).toEqual([]);
    expect(run.exit).toBe(1);
    expect(run.errorLines.some((l) => /no space left|disk .*is full/i.test(l)), run.errorLines.join('\n')).toBe(true);
    expect(run.integrity).toBe('ok');
    expect(run.neededLogin, 'the session was lost to the full disk').toBe(false);
    await recover(DISK, 'full at start / journal open beside');
    expect(recoveries.at(-1)!.reLogins).toBe(0);
    const activities = await listActivities(sandbox);
    expect(delivery(new Set(batches.flatMap((b) => [...b.shas])), activities)).toEqual({ lost: 0, duplicated: 0 });
  }, 120_000);

  it('disk fills up while uploads are in flight: one clear line, exit 1, no stack, journal intact; recovery once space is back', async () => {
    addBatch(DISK, 43_000, 'mid');
    const scan = await runCli(['scan', '--folder', folder], home.env);
    expect(scan.code, scan.stderr).toBe(0);
    // The disk fills as the first upload arrives, before the server answers it: the client
    // must journal that reply on a full disk. (Filled when the answer had gone, the client
    // could journal it and free its spool copy while the filler was still being written,
    // and then every later write found room: a race the test lost on a loaded machine.)
    let filler = 0;
    onRequestStart = (path) => {
      if (!path.endsWith('/uploadActivity')) return;
      onRequestStart = undefined;
      filler = disk.fill();
    };
    let result: CliResult;
    try {
      result = await once();
    } finally {
      onRequestStart = undefined;
      disk.unfill();
    }
    const run = judge(DISK, `fills during uploads (filler ${Math.round(filler / 1024)} KB)`, result, journalIntegrity());
    conditions.push(run);
    await recover(DISK, 'fills during uploads');
    const activities = await listActivities(sandbox);
    expect(delivery(new Set(batches.flatMap((b) => [...b.shas])), activities)).toEqual({ lost: 0, duplicated: 0 });
    expect(filler, 'the disk was never filled').toBeGreaterThan(0);
    expect(run.crashed, result.stderr.slice(-3000)).toBe(false);
    expect(run.strayLines).toEqual([]);
    expect(run.exit).toBe(1);
    expect(run.errorLines.some((l) => /no space left|disk .*is full/i.test(l)), run.errorLines.join('\n')).toBe(true);
    expect(run.integrity).toBe('ok');
  }, 120_000);

  it('read-only state dir: one clear line, non-zero exit, nothing changed; writable again → everything goes up once', async () => {
    addBatch(READ_ONLY, 42_000, 'ro');
    const before = readJournal(home.stateDir);
    await sleep(TOKEN_TTL_S * 1000);
    disk.readOnly(true);
    let result: CliResult;
    try {
      result = await once();
    } finally {
      disk.readOnly(false);
    }
    const after = readJournal(home.stateDir);
    conditions.push(judge(READ_ONLY, 'read-only', result, after.integrity));
    const run = conditions.at(-1)!;
    expect(run.exit).not.toBe(0);
    expect(run.crashed, result.stderr).toBe(false);
    expect(run.strayLines).toEqual([]);
    expect(run.errorLines.some((l) => /read-only|cannot be written|writable/i.test(l)), run.errorLines.join('\n')).toBe(true);
    expect(run.integrity).toBe('ok');
    expect(after.counts).toEqual(before.counts);
    expect(run.neededLogin).toBe(false);
    await recover(READ_ONLY, 'read-only');
    const activities = await listActivities(sandbox);
    const expected = new Set(batches.flatMap((b) => [...b.shas]));
    expect(delivery(expected, activities)).toEqual({ lost: 0, duplicated: 0 });
    expect(activities).toHaveLength(expected.size);
  }, 120_000);

  afterAll(async () => {
    try {
      if (conditions.length) await reportRows();
    } finally {
      disk?.unmount();
      await sandbox?.close();
    }
  });

  async function reportRows(): Promise<void> {
    const activities = await listActivities(sandbox);
    const records = readJournal(home.stateDir).records;
    for (const test of [DISK, READ_ONLY]) {
      const runs = conditions.filter((c) => c.row === test);
      const after = recoveries.filter((r) => r.row === test);
      if (!runs.length) continue;
      const expected = new Set(batches.filter((b) => batchRows.get(b) === test).flatMap((b) => [...b.shas]));
      const { lost, duplicated } = delivery(expected, activities.filter((a) => expected.has(a.sha256 ?? '')));
      await report({
        test,
        runs: runs.length + after.reduce((n, r) => n + r.runs, 0),
        lost,
        duplicated,
        duplicatesOnlyServerDedupe: answeredExists(records.filter((r) => expected.has(r.sha256 ?? ''))),
        crashes: runs.filter((c) => c.crashed).length + after.reduce((n, r) => n + r.crashes, 0),
        reLogins: runs.filter((c) => c.neededLogin).length + after.reduce((n, r) => n + r.reLogins, 0),
        notes:
          runs.map((c) => `${c.condition}: exit ${c.exit}, journal ${c.integrity}, "${c.errorLines[0] ?? '(no error line)'}"`).join('; ') +
          `; recovered in ${after.map((r) => r.runs).join('+')} run(s); ${expected.size} files`,
        figures: { conditions: runs, recoveries: after, files: expected.size },
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
    }
  }
});
