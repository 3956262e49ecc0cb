import { clock, localDateTime, relative } from '../present/present.js';

/** Why uploads still wait at the end of a run, and until when. */
export interface PendingWait {
  readonly until: number;
  /** "server unreachable", "rate limited", … */
  readonly why: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The last line of a `sync` that left something behind, saying what will do something:
 * `mmt-sync retry 78` for a failed file (a rerun never touches it), "run again" only for
 * files still waiting (a rerun tries them at once), and not before a Retry-After ends.
 */
export function closingAdvice(state: {
  readonly failed: ReadonlyArray<{ readonly id: number }>;
  readonly pending: number;
  readonly wait?: PendingWait;
  readonly daemonRunning: boolean;
  readonly now?: number;
}): string {
  const now = state.now ?? Date.now();
  const parts: string[] = [];
  if (state.failed.length) {
    const retry = state.failed.length === 1 ? `\`mmt-sync retry ${state.failed[0]!.id}\`` : '`mmt-sync retry --all`';
    parts.push(`${plural(state.failed.length, 'file')} failed (the reason is above): ${retry} sends ${state.failed.length === 1 ? 'it' : 'them'} again once that is fixed`);
  }
  if (state.pending) {
    const why = state.wait ? ` (${state.wait.why}; next try ${clock(state.wait.until)}, ${relative(state.wait.until, now)})` : '';
    const then = state.daemonRunning
      ? 'the running daemon sends them'
      : state.wait?.why === 'rate limited'
        ? `run \`mmt-sync sync\` again after ${clock(state.wait.until)}, or let the daemon send them (\`mmt-sync service install\`)`
        : 'run `mmt-sync sync` again later, or let the daemon send them (`mmt-sync service install`)';
    parts.push(`${plural(state.pending, 'upload')} still waiting${why}: ${then}`);
  }
  return parts.join('; ');
}

/** The first sync over older files: how many it held back, and the command that sends them. */
export function heldBackLine(count: number, cutoff: number | undefined): string {
  const before = cutoff === undefined ? '' : ` (recorded before ${localDateTime(cutoff).slice(0, 10)}, the backfill window)`;
  return `held back: ${plural(count, 'older file')}${before}; \`mmt-sync sync --since YYYY-MM-DD\` sends those from that date on, \`--since all\` every one`;
}
