/**
 * The figures of the chaos suite: one row per scenario, printed as a table and merged
 * into bench/results/chaos.json under the run's size (`ci` or `full`), so a CI run does
 * not overwrite the full-size figures and vice versa. Test files run in parallel
 * workers, so the read-modify-write of the file happens under a lock.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { writeFileAtomic } from '../../../src/fsutil/atomic-write.js';
import { REPO } from '../../helpers/cli.js';
import { SIZE } from './chaos-kit.js';

export interface ChaosRow {
  readonly test: string;
  /** Runs of mmt-sync the scenario made (killed ones included). */
  readonly runs: number;
  /** Generated files that never reached the sandbox (goal 0). */
  readonly lost: number;
  /** Activities at the sandbox beyond the first with the same content (goal 0). */
  readonly duplicated: number;
  /** Uploads sent again after a kill, a drop or a timeout and answered "exists": only server-side dedupe kept them single. */
  readonly duplicatesOnlyServerDedupe: number;
  /** Runs that ended with a stack trace, an internal error or an unexpected exit (not counting our kills). */
  readonly crashes: number;
  /** Runs that ended with "login required" (exit 3): the user would have had to log in again (goal 0). */
  readonly reLogins: number;
  readonly notes: string;
  /** Everything measured behind the row. */
  readonly figures?: Readonly<Record<string, unknown>>;
  readonly seconds?: number;
}

interface SizeSection {
  readonly date: string;
  readonly machine: { cpus: number; loadavg: number[]; node: string };
  readonly rows: ChaosRow[];
}

type ChaosFile = Partial<Record<'ci' | 'full', SizeSection>> & { readonly name?: string; readonly description?: string };

export const RESULT_FILE = join(REPO, 'bench', 'results', 'chaos.json');

/** Replaces this scenario's row in the current size's section; returns every row of that section. */
export async function recordRow(row: ChaosRow): Promise<ChaosRow[]> {
  mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
  const release = await lockfile.lock(RESULT_FILE, { realpath: false, stale: 10_000, retries: { retries: 100, minTimeout: 20, maxTimeout: 200 } });
  try {
    let data: ChaosFile = {};
    try {
      data = JSON.parse(readFileSync(RESULT_FILE, 'utf8')) as ChaosFile;
    } catch {
      // First run, or a file from an older layout: start over.
    }
    const previous = data[SIZE]?.rows ?? [];
    const rows = [...previous.filter((r) => r.test !== row.test), row].sort((a, b) => a.test.localeCompare(b.test));
    const section: SizeSection = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 100) / 100), node: process.version },
      rows,
    };
    const next: ChaosFile = {
      name: 'chaos',
      description:
        'Reliability suite (test/reliability/chaos*.test.ts): kill -9, injected faults, device pulled, disk full, read-only state. ' +
        '`ci` = npx vitest run test/reliability; `full` = npm run test:chaos (MMT_SYNC_CHAOS=full).',
      ...data,
      [SIZE]: section,
    };
    writeFileAtomic(RESULT_FILE, `${JSON.stringify(next, null, 2)}\n`, 0o644);
    return rows;
  } finally {
    await release();
  }
}

const COLUMNS = ['test', 'runs', 'lost', 'duplicated', 'dup. only server dedupe', 'crashes', 're-logins'] as const;

export function formatTable(rows: readonly ChaosRow[]): string {
  const cells = rows.map((r) => [r.test, r.runs, r.lost, r.duplicated, r.duplicatesOnlyServerDedupe, r.crashes, r.reLogins].map(String));
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  return [line(COLUMNS), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.map(line)].join('\n');
}

/** Records the row and prints this scenario's notes and the table of every scenario recorded at this size. */
export async function report(row: ChaosRow): Promise<void> {
  const rows = await recordRow(row);
  console.log(`\nchaos (${SIZE}) ${row.test}: ${row.notes}\n\n${formatTable(rows)}\n`);
}
