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
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { startCli, type CliResult } from '../helpers/cli.js';
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
  /** Files taken in (spooled) before the pull: how far intake had got. */
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

function spooled(stateDir: string): number {
  try {
    return readdirSync(join(stateDir, 'spool')).filter((n) => !n.startsWith('.')).length;
  } catch {
    return 0;
  }
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
        const base = spooled(home.stateDir);
        const pullAt = base + random.int(1, Math.floor(PER_ROUND / 2));
        const run = startCli(['--once', '--folder', place.folder], home.env);
        for (let t = 0; t < 10_000 && run.child.exitCode === null && spooled(home.stateDir) < pullAt; t += 2) await sleep(2);
        const pulledAfter = spooled(home.stateDir) - base;
        place.pull(mode);
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
