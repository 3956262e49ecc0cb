/**
 * The judging stage for a zip in a source: each member is taken in like a file of its own
 * (`export.zip!/activities/1.fit.gz`: hashed, classified, deduped, spooled, journaled), one
 * at a time as it is decompressed, so memory holds one member. A member the caps or the
 * archive refuse is journaled as skipped with the reason; the rest go on.
 *
 * The zip has a record of its own too, for the no-op rescan (its path, size and mtime):
 * `discovered` while its members are taken in, `skipped` ("an archive: …") once all were.
 * An interrupted expansion leaves it `discovered`, so the next scan opens it again (the
 * members already taken in are then unchanged).
 */
import type { Candidate } from './candidate.js';
import type { ReadOutcome } from './read.js';
import { takeIn, type TakeInContext, type TakeInOutcome } from './take-in.js';

export type ArchiveOutcome = Extract<ReadOutcome, { kind: 'archive' }>;

export interface MemberInfo {
  readonly path: string;
  readonly size: number;
}

export async function takeInArchive(
  candidate: Candidate,
  outcome: ArchiveOutcome,
  context: TakeInContext,
  /** Each member: found (the progress total grows), then where it went. */
  onMember: (member: MemberInfo, placed?: TakeInOutcome) => void,
): Promise<TakeInOutcome> {
  const { journal, report } = context;
  const own = journal.observe({ sourceId: candidate.sourceId, relPath: candidate.relPath, path: candidate.path, size: candidate.size, mtimeMs: candidate.mtimeMs });
  if (own.state !== 'discovered') journal.move(own.id, 'discovered');
  const { known: _zipRecord, ...zip } = candidate;
  const counts: Record<string, number> = {};
  let members = 0;
  for (;;) {
    const step = await outcome.members.next();
    if (step.done) break;
    const item = step.value;
    members++;
    report.files++;
    // A member's path carries the zip's: `<source path>/export.zip!/…` for people, `export.zip!/…` in the source.
    const path = candidate.path + item.memberPath.slice(candidate.relPath.length);
    const known = journal.atPath(candidate.sourceId, item.memberPath);
    const member: Candidate = {
      ...zip,
      relPath: item.memberPath,
      path,
      name: item.kind === 'member' ? item.name : candidate.name,
      size: item.kind === 'member' ? item.bytes.length : 0,
      ...(known ? { known: { id: known.id, state: known.state, unread: known.unread } } : {}),
    };
    onMember({ path, size: member.size });
    const placed = takeIn(
      member,
      item.kind === 'member' ? { kind: 'read', bytes: item.bytes, size: item.bytes.length, mtimeMs: Math.trunc(candidate.mtimeMs) } : { kind: 'refused', reason: item.reason },
      context,
    );
    counts[placed] = (counts[placed] ?? 0) + 1;
    onMember({ path, size: member.size }, placed);
  }
  if (!(await outcome.unchanged())) {
    // Changed while it was read (still being copied in?): seen again at the next scan.
    report.notSettled++;
    return 'notSettled';
  }
  journal.move(own.id, 'skipped', { verdict: 'skip', reason: describeArchive(members, counts), unread: 0, wanted_from: null });
  return 'expanded';
}

function describeArchive(members: number, counts: Record<string, number>): string {
  if (members === 0) return 'an archive with no activity files inside';
  const parts = Object.entries(counts).map(([outcome, n]) => `${n} ${outcome}`);
  return `an archive: ${members} member${members === 1 ? '' : 's'} journaled on their own (${parts.join(', ')})`;
}
