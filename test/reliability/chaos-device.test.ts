/**
 * The device pulled mid-read: while `--once` is taking the files of a folder in, the
 * folder goes away. Four ways, one per round:
 * - rename: the folder renamed away (an unmounted volume): ENOENT from then on;
 * - remove: the folder deleted, later written again (new mtimes, same bytes): ENOENT;
 * - eio: a FUSE mount whose every call, reads of open files included, fails with EIO;
 * - enotconn: the FUSE process killed (-9): a dead mount, every call ENOTCONN.
 * The pulled run must end without a crash, with one clear line per problem; once the
 * folder is back, a rerun uploads everything exactly once and the journal is intact.
 * The FUSE rounds need root and python3-fusepy (apt-get install python3-fusepy); without
 * them only the ENOENT rounds run, and the figures say so.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { runCli, startCli, type CliResult } from '../helpers/cli.js';
import {
  FULL,
  answeredExists,
  chaosRandom,
  chaosYaml,
  crashed,
  delivery,
  loggedInHome,
  readJournal,
  rewriteBacklog,
  sleep,
  syncUntilDone,
  takenInCounter,
  writeBacklog,
  type Backlog,
} from './lib/chaos-kit.js';
import { canFuse, startPullableFs, type PullableFs } from './lib/chaos-fuse.js';
import { report } from './lib/chaos-report.js';

type PullMode = 'rename' | 'remove' | 'eio' | 'enotconn';

const FUSE = canFuse();
const MODES: readonly PullMode[] = FUSE ? ['rename', 'eio', 'remove', 'enotconn'] : ['rename', 'remove'];
const ROUNDS = FULL ? MODES.length * 2 : MODES.length;
/** Files per round; ~83 KB each, so taking them in lasts long enough to pull the folder half-way. */
const PER_ROUND = FULL ? 150 : 40;
const LOG_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z )?(error|warn|info|debug): \S/;

interface PullRound {
  readonly mode: PullMode;
  /** Files taken in (journaled with their hash) before the pull: how far intake had got. */
  readonly pulledAfter: number;
  readonly pulledMidRead: boolean;
  readonly exit: number | null;
  readonly crashed: boolean;
  /** stderr lines that are not one-line log messages (stack frames, dumps). */
  readonly strayLines: string[];
  /** Lines naming a file and why it could not be read. */
  readonly reasons: number;
  readonly sampleReason: string;
  readonly integrityAfterPull: string;
  readonly rerunRuns: number;
}

/** A place files come from, which can be pulled and put back. */
interface Place {
  readonly folder: string;
  /** Where new files are written. */
  readonly storage: string;
  pull(mode: PullMode): void;
  plugBack(mode: PullMode, batches: readonly Backlog[]): Promise<void>;
}

function plainPlace(root: string): Place {
  const volume = join(root, 'GARMIN');
  const away = join(root, 'pulled');
  const folder = join(volume, 'Activity');
  mkdirSync(folder, { recursive: true });
  return {
    folder,
    storage: folder,
    pull: (mode) => (mode === 'rename' ? renameSync(volume, away) : rmSync(volume, { recursive: true, force: true })),
    async plugBack(mode, batches) {
      if (mode === 'rename') renameSync(away, volume);
      else for (const batch of batches) rewriteBacklog(batch);
    },
  };
}

function fusePlace(fs: PullableFs): Place {
  const storage = join(fs.backing, 'GARMIN', 'Activity');
  mkdirSync(storage, { recursive: true });
  return {
    folder: join(fs.mountpoint, 'GARMIN', 'Activity'),
    storage,
    pull: (mode) => fs.pull(mode === 'enotconn' ? 'enotconn' : 'eio'),
    plugBack: () => fs.plugBack(),
  };
}


describe(`the source folder pulled mid-read (${ROUNDS} rounds of ${PER_ROUND} files: ${MODES.join(', ')}), then put back`, () => {
  let outcome: {
    rounds: PullRound[];
    lost: number;
    duplicated: number;
    exists: number;
    activities: number;
    total: number;
    integrity: string;
    notUploaded: string[];
    crashes: number;
    reLogins: number;
    runs: number;
  };

  beforeAll(async () => {
    const started = Date.now();
    const random = chaosRandom(777);
    const sandbox = await startSandbox({});
    const root = mkdtempSync(join(tmpdir(), 'mmt-chaos-device-'));
    const fuse = FUSE ? await startPullableFs(join(root, 'fuse')) : undefined;
    try {
      const plain = plainPlace(join(root, 'plain'));
      const mounted = fuse ? fusePlace(fuse) : undefined;
      const home = await loggedInHome(sandbox, chaosYaml());
      const batches = new Map<Place, Backlog[]>([[plain, []], ...(mounted ? [[mounted, []] as [Place, Backlog[]]] : [])]);
      const rounds: PullRound[] = [];
      let crashes = 0;
      let reLogins = 0;
      let runs = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const mode = MODES[i % MODES.length]!;
        const place = mode === 'eio' || mode === 'enotconn' ? mounted! : plain;
        // A new batch joins the folder (the watch recorded more), then the folder goes away mid-intake.
        const batch = writeBacklog(place.storage, PER_ROUND, { serialBase: 30_000 + i * 1_000, durationS: 3_600, prefix: `r${i}` });
        batches.get(place)!.push(batch);
        const takenIn = takenInCounter(home.stateDir);
        const base = takenIn.count();
        const pullAt = base + random.int(1, Math.floor(PER_ROUND / 2));
        const run = startCli(['--once', '--folder', place.folder], home.env);
        for (let t = 0; t < 10_000 && run.child.exitCode === null && takenIn.count() < pullAt; t += 2) await sleep(2);
        // Frozen while the device goes: the pull lands exactly where the count says, however
        // far the (fast, overlapping) intake would have run on in the meantime.
        run.child.kill('SIGSTOP');
        const pulledAfter = takenIn.count() - base;
        takenIn.close();
        place.pull(mode);
        run.child.kill('SIGCONT');
        const result: CliResult = await run.done;
        runs++;
        const integrityAfterPull = readJournal(home.stateDir).integrity;
        const lines = result.stderr.split('\n').filter(Boolean);
        const reasonLines = lines.filter((l) => /disappeared|unplugged|input\/output|not connected|not readable|ENOENT|EIO|ENOTCONN/i.test(l));
        if (crashed(result)) crashes++;

        await place.plugBack(mode, batches.get(place)!);
        const settled = await syncUntilDone(home, place.folder);
        runs += settled.runs;
        crashes += settled.crashes;
        reLogins += settled.reLogins;
        rounds.push({
          mode,
          pulledAfter,
          pulledMidRead: pulledAfter > 0 && pulledAfter < PER_ROUND,
          exit: result.code,
          crashed: crashed(result),
          strayLines: lines.filter((l) => !LOG_LINE.test(l)),
          reasons: reasonLines.length,
          sampleReason: (reasonLines[0] ?? '').replace(/^\S+Z /, '').replace(/\/\S+\//, '…/'),
          integrityAfterPull,
          rerunRuns: settled.runs,
        });
      }
      const all = [...batches.values()].flat();
      const expected = new Set(all.flatMap((b) => [...b.shas]));
      const activities = await listActivities(sandbox);
      const journal = readJournal(home.stateDir);
      outcome = {
        rounds,
        ...delivery(expected, activities),
        exists: answeredExists(journal.records),
        activities: activities.length,
        total: expected.size,
        integrity: journal.integrity,
        notUploaded: journal.records.filter((r) => r.state !== 'uploaded' && !r.relPath.includes('#retired-')).map((r) => `${r.relPath}: ${r.state}`),
        crashes,
        reLogins,
        runs,
      };
      await report({
        test: `device pulled mid-read (${FUSE ? 'ENOENT, EIO, ENOTCONN' : 'ENOENT only'})`,
        runs,
        lost: outcome.lost,
        duplicated: outcome.duplicated,
        duplicatesOnlyServerDedupe: outcome.exists,
        crashes,
        reLogins,
        notes:
          `${ROUNDS} rounds × ${PER_ROUND} files (seed ${random.seed}); pulled after ${rounds.map((r) => `${r.pulledAfter} (${r.mode})`).join(', ')} files were taken in; ` +
          `pulled runs exited ${rounds.map((r) => r.exit).join(', ')} with ${rounds.map((r) => r.reasons).join(', ')} reason lines; ` +
          `journal ok after every pull: ${rounds.every((r) => r.integrityAfterPull === 'ok')}` +
          (FUSE ? '' : '; EIO/ENOTCONN not simulated (needs root and python3-fusepy)'),
        figures: { rounds, total: expected.size, activities: activities.length, fuse: FUSE },
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
    } finally {
      await fuse?.stop();
      await sandbox.close();
    }
  }, FULL ? 600_000 : 120_000);

  it('the pulled run ends cleanly: exit 0 or 1, one line per unreadable file, no stack, journal intact', () => {
    expect(outcome.rounds.filter((r) => !r.pulledMidRead).map((r) => `${r.mode}: ${r.pulledAfter}`), 'the folder was not pulled half-way through intake').toEqual([]);
    for (const round of outcome.rounds) {
      expect(round.crashed, round.mode).toBe(false);
      expect(round.strayLines, round.mode).toEqual([]);
      expect([0, 1], round.mode).toContain(round.exit);
      expect(round.reasons, round.mode).toBeGreaterThan(0);
      expect(round.integrityAfterPull, round.mode).toBe('ok');
    }
  });

  it('once the folder is back, everything is uploaded exactly once', () => {
    expect(outcome.notUploaded).toEqual([]);
    expect(outcome.lost).toBe(0);
    expect(outcome.duplicated).toBe(0);
    expect(outcome.activities).toBe(outcome.total);
    expect(outcome.integrity).toBe('ok');
    expect(outcome.crashes).toBe(0);
    expect(outcome.reLogins).toBe(0);
  });
});

describe(`files a first plug-in baselined from their stat alone, asked for with --since all while the device is pulled mid-read (${FUSE ? 'EIO' : 'ENOENT'})`, () => {
  let outcome: {
    unreadAfterFirst: number;
    pulledAfter: number;
    pulled: CliResult;
    reasonLines: string[];
    integrityAfterPull: string;
    lost: number;
    duplicated: number;
    notUploaded: string[];
    activities: number;
    total: number;
    crashes: number;
  };

  beforeAll(async () => {
    const started = Date.now();
    const random = chaosRandom(4242);
    const sandbox = await startSandbox({});
    const root = mkdtempSync(join(tmpdir(), 'mmt-chaos-unread-'));
    const fuse = FUSE ? await startPullableFs(join(root, 'fuse')) : undefined;
    try {
      const place = fuse ? fusePlace(fuse) : plainPlace(join(root, 'plain'));
      const mode: PullMode = fuse ? 'eio' : 'rename';
      const home = await loggedInHome(sandbox, chaosYaml().replace('backfill: all', 'backfill: 14d'));
      const batch = writeBacklog(place.storage, PER_ROUND, { serialBase: 90_000, durationS: 3_600, prefix: 'old' });
      // The watch's own mtimes: the end of each (old) activity, long before the backfill window.
      const old = (Date.now() - 60 * 86_400_000) / 1000;
      for (const name of batch.files.keys()) utimesSync(join(place.storage, name), old, old);

      const first = await runCli(['--once', '--folder', place.folder], home.env);
      expect(first.code, first.stderr).toBe(0);
      const unreadAfterFirst = readJournal(home.stateDir).records.filter((r) => r.state === 'baseline' && r.unread).length;

      const takenIn = takenInCounter(home.stateDir);
      const pullAt = random.int(1, Math.floor(PER_ROUND / 2));
      const run = startCli(['--once', '--since', 'all', '--folder', place.folder], home.env);
      for (let t = 0; t < 10_000 && run.child.exitCode === null && takenIn.count() < pullAt; t += 2) await sleep(2);
      run.child.kill('SIGSTOP');
      const pulledAfter = takenIn.count();
      takenIn.close();
      place.pull(mode);
      run.child.kill('SIGCONT');
      const pulled = await run.done;
      const integrityAfterPull = readJournal(home.stateDir).integrity;
      const reasonLines = pulled.stderr.split('\n').filter((l) => /disappeared|input\/output|not connected/i.test(l));

      await place.plugBack(mode, [batch]);
      const settled = await syncUntilDone(home, place.folder);
      const activities = await listActivities(sandbox);
      const journal = readJournal(home.stateDir);
      outcome = {
        unreadAfterFirst,
        pulledAfter,
        pulled,
        reasonLines,
        integrityAfterPull,
        ...delivery(batch.shas, activities),
        notUploaded: journal.records.filter((r) => r.state !== 'uploaded').map((r) => `${r.relPath}: ${r.state}`),
        activities: activities.length,
        total: batch.shas.size,
        crashes: settled.crashes + (crashed(pulled) ? 1 : 0),
      };
      await report({
        test: `stat-baselined files asked for, device pulled mid-read (${FUSE ? 'EIO' : 'ENOENT'})`,
        runs: 2 + settled.runs,
        lost: outcome.lost,
        duplicated: outcome.duplicated,
        duplicatesOnlyServerDedupe: answeredExists(journal.records),
        crashes: outcome.crashes,
        reLogins: settled.reLogins,
        notes:
          `${PER_ROUND} files 60 days old: the first plug-in journaled ${unreadAfterFirst} as baseline unread; \`--since all\` pulled after ${pulledAfter} were read, ` +
          `exit ${pulled.code} with ${reasonLines.length} reason lines; ${settled.runs} plain rerun(s) after plugging back read and uploaded the rest`,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
    } finally {
      await fuse?.stop();
      await sandbox.close();
    }
  }, 120_000);

  it('the first plug-in read none of them; the pulled run reports each failed read like any other, exits 1, journal intact', () => {
    expect(outcome.unreadAfterFirst).toBe(PER_ROUND);
    expect(outcome.pulledAfter, 'the device was not pulled half-way through the reads').toBeGreaterThan(0);
    expect(outcome.pulledAfter).toBeLessThan(PER_ROUND);
    expect(crashed(outcome.pulled)).toBe(false);
    expect(outcome.pulled.code, outcome.pulled.stderr).toBe(1);
    expect(outcome.reasonLines.length).toBeGreaterThan(0);
    expect(outcome.pulled.stderr).toMatch(/could not be read \(device unplugged\?\); they are taken in when seen again|still pending/);
    expect(outcome.integrityAfterPull).toBe('ok');
  });

  it('once the device is back, every file asked for is read and uploaded exactly once (no --since needed again)', () => {
    expect(outcome.notUploaded).toEqual([]);
    expect(outcome.lost).toBe(0);
    expect(outcome.duplicated).toBe(0);
    expect(outcome.activities).toBe(outcome.total);
    expect(outcome.crashes).toBe(0);
  });
});
