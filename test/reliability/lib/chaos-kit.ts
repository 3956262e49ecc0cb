/**
 * What every chaos test needs: the run size, seeded randomness, a backlog of distinct
 * FIT activities, a logged-in home, CLI runs judged for crashes, and the journal seen
 * from outside (the CLI is always a separate process, often a killed one).
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../../src/journal/journal.js';
import type { FileRecord } from '../../../src/journal/rows.js';
import type { StateCounts } from '../../../src/journal/journal.js';
import { seededRandom } from '../../../src/sandbox/crypto.js';
import { generateFitActivity } from '../../../src/testing/fit-generator.js';
import { makeHome, runCli, type CliResult, type TestHome } from '../../helpers/cli.js';
import { scriptedLogin } from '../../helpers/login.js';

/** `MMT_SYNC_CHAOS=full` (npm run test:chaos): the sizes the issue states; otherwise a CI size. */
export const FULL = process.env.MMT_SYNC_CHAOS === 'full';
export const SIZE: 'ci' | 'full' = FULL ? 'full' : 'ci';

/** A replayable stream of numbers in [0, 1); `MMT_SYNC_CHAOS_SEED` overrides the test's own seed. */
export function chaosRandom(defaultSeed: number): { seed: number; next: () => number; int: (min: number, max: number) => number } {
  const seed = process.env.MMT_SYNC_CHAOS_SEED ? Number(process.env.MMT_SYNC_CHAOS_SEED) : defaultSeed;
  const next = seededRandom(seed);
  return { seed, next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Settle at once, upload everything, retry fast: chaos runs are about outcomes, not waiting. */
export function chaosYaml(options: { onceWaitS?: number; maxAttempts?: number; concurrency?: number } = {}): string {
  return [
    'intake:',
    '  settleS: 0',
    '  backfill: all',
    'retry:',
    '  baseDelayS: 0.05',
    '  maxDelayS: 0.5',
    `  maxAttempts: ${options.maxAttempts ?? 10}`,
    `  onceWaitS: ${options.onceWaitS ?? 10}`,
    ...(options.concurrency ? ['upload:', `  concurrency: ${options.concurrency}`] : []),
    '',
  ].join('\n');
}

export interface Backlog {
  readonly dir: string;
  /** File name → bytes, as written. */
  readonly files: Map<string, Uint8Array>;
  /** sha256 of every file: what must reach the server, once each. */
  readonly shas: Set<string>;
}

/**
 * `count` distinct activities (own serial and start each) in `dir`. `durationS` sets the
 * size: 120 s is ~3 KB, 3600 s ~83 KB. `serialBase` keeps batches of one test apart.
 */
export function writeBacklog(dir: string, count: number, options: { serialBase: number; durationS?: number; prefix?: string }): Backlog {
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, Uint8Array>();
  const hourMs = 3_600_000;
  // Whole hours back from a fixed point in the past, so reruns of a test generate the same bytes.
  const anchor = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i++) {
    const serial = options.serialBase + i;
    const bytes = generateFitActivity({ start: new Date(anchor - (serial % 100_000) * hourMs), durationS: options.durationS ?? 120, serial, seed: serial });
    const name = `${options.prefix ?? 'act'}-${String(serial)}.fit`;
    writeFileSync(join(dir, name), bytes);
    files.set(name, bytes);
  }
  return { dir, files, shas: new Set([...files.values()].map(sha256)) };
}

/** Writes a backlog's files again (same names and bytes, new mtimes): a device plugged back in. */
export function rewriteBacklog(backlog: Backlog): void {
  mkdirSync(backlog.dir, { recursive: true });
  for (const [name, bytes] of backlog.files) writeFileSync(join(backlog.dir, name), bytes);
}

/** A fresh home logged in to `api` (file token store), with `yaml` appended to its config. */
export async function loggedInHome(api: { baseUrl: string; clientId: string; clientSecret: string }, yaml: string, timeoutS?: number): Promise<TestHome> {
  const home = makeHome(api, yaml);
  if (timeoutS !== undefined) {
    const text = readFileSync(home.configFile, 'utf8');
    writeFileSync(home.configFile, text.replace(/timeoutS: \d+/, `timeoutS: ${timeoutS}`));
  }
  await login(home);
  return home;
}

/** `mmt-sync login --no-browser` with a scripted approval; throws unless it exits 0. */
export async function login(home: TestHome): Promise<void> {
  const { result } = await scriptedLogin(home);
  if (result.code !== 0) throw new Error(`login failed (exit ${result.code}): ${result.stderr}`);
}

/** A stack frame or an internal error on stderr: mmt-sync crashed instead of failing cleanly. */
export function crashed(result: Pick<CliResult, 'stderr' | 'code' | 'signal'>, killedByUs = false): boolean {
  if (/internal error|^\s+at .+[:(]\d+:\d+\)?$/m.test(result.stderr)) return true;
  if (killedByUs) return false;
  return result.signal !== null || ![0, 1, 2, 3].includes(result.code ?? -1);
}

/** The run ended because the session is gone: the user would have to log in again. */
export function neededLogin(result: Pick<CliResult, 'stderr' | 'code'>): boolean {
  return result.code === 3 || /run `mmt-sync login`/.test(result.stderr);
}

/** The journal's name for a process, as src/queue/owner.ts writes it. */
export const ownerOf = (pid: number | undefined) => `${hostname()}:${pid ?? 0}`;

export interface JournalView {
  readonly integrity: string;
  readonly counts: StateCounts;
  readonly records: FileRecord[];
}

/** Opens the journal the CLI left (WAL recovery included), reads it and closes it again. */
export function readJournal(stateDir: string): JournalView {
  const journal = Journal.open(stateDir);
  try {
    return { integrity: journal.integrityCheck(), counts: journal.counts(), records: journal.list() };
  } finally {
    journal.close();
  }
}

/**
 * How many files a running CLI has taken in (read, hashed and journaled), seen from
 * outside through a read-only connection kept open between looks. (Counting spool copies
 * no longer works: uploads start while the intake runs and remove them as they go.)
 */
export function takenInCounter(stateDir: string): { count(): number; close(): void } {
  let db: Database.Database | undefined;
  return {
    count() {
      try {
        db ??= new Database(join(stateDir, 'journal.sqlite'), { readonly: true, fileMustExist: true });
        return (db.prepare('SELECT COUNT(*) FROM files WHERE sha256 IS NOT NULL').pluck().get() as number) ?? 0;
      } catch {
        return 0; // not created yet, or mid-migration
      }
    },
    close: () => db?.close(),
  };
}

/** Copies waiting in the spool (what is left after everything went up is a leak, not a loss). */
export function spoolFiles(stateDir: string): string[] {
  try {
    return readdirSync(join(stateDir, 'spool')).filter((name) => !name.startsWith('.'));
  } catch {
    return [];
  }
}

export interface SettleOutcome {
  readonly runs: number;
  readonly crashes: number;
  readonly reLogins: number;
  readonly results: CliResult[];
}

/**
 * The final clean runs: `--once` again while it exits 1 (still pending after its wait),
 * logging in again when a run says the session is gone (counted: that is a forced re-login).
 */
export async function syncUntilDone(home: TestHome, folder: string, maxRuns = 10, extraArgs: string[] = []): Promise<SettleOutcome> {
  const results: CliResult[] = [];
  let crashes = 0;
  let reLogins = 0;
  for (let run = 1; run <= maxRuns; run++) {
    const result = await runCli(['--once', '--folder', folder, ...extraArgs], home.env);
    results.push(result);
    if (crashed(result)) crashes++;
    if (result.code === 0) return { runs: run, crashes, reLogins, results };
    if (neededLogin(result)) {
      reLogins++;
      await login(home);
    } else if (result.code !== 1) break;
  }
  const last = results.at(-1);
  throw new Error(`--once still not done after ${results.length} runs (exit ${last?.code}): ${last?.stderr.slice(-2000)}`);
}

/** Server-side view of the outcome: what was lost, what arrived twice. */
export interface Delivery {
  /** Generated files whose content never reached the server. */
  readonly lost: number;
  /** Activities beyond the first with the same content. */
  readonly duplicated: number;
}

export function delivery(expected: ReadonlySet<string>, activities: ReadonlyArray<{ sha256: string | null }>): Delivery {
  const received = activities.map((a) => a.sha256 ?? '');
  const distinct = new Set(received);
  return {
    lost: [...expected].filter((sha) => !distinct.has(sha)).length,
    duplicated: received.length - distinct.size,
  };
}

/** Journal entries whose upload the server answered "exists": sent again, saved only by server-side dedupe. */
export const answeredExists = (records: readonly FileRecord[]) => records.filter((r) => r.state === 'uploaded' && r.remoteStatus === 'exists').length;
