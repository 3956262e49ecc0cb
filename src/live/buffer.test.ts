import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveBuffer, type ClaimRequest } from './buffer.js';
import type { TrackPoint } from './track-point.js';

const T0 = Date.UTC(2024, 4, 1, 6, 30);
const point = (i: number, extra: Partial<TrackPoint> = {}): TrackPoint => ({ lat: 51.5 + i / 1e4, lon: -0.16, ele: 28, timeMs: T0 + i * 1000, ...extra });
const points = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => point(from + k));

const opened: LiveBuffer[] = [];
function openBuffer(dir = mkdtempSync(join(tmpdir(), 'mmt-live-buffer-'))): { buffer: LiveBuffer; dir: string } {
  const buffer = LiveBuffer.open(dir);
  opened.push(buffer);
  return { buffer, dir };
}
afterEach(() => {
  for (const b of opened.splice(0)) {
    try {
      b.close();
    } catch {
      // closed by the test
    }
  }
});

const claimFor = (owner: string, source = 'gpsd://localhost:2947', extra: Partial<ClaimRequest> = {}): ClaimRequest => ({
  account: 'acct',
  owner,
  isAlive: () => false,
  session: { source, title: 'Run', activityType: 'running', status: 'private' },
  resumeWindowMs: 60_000,
  now: T0,
  ...extra,
});

describe('LiveBuffer', () => {
  it('numbers points in order and takes only points later than every earlier one', () => {
    const { buffer } = openBuffer();
    const { current } = buffer.claim(claimFor('me'));
    expect(buffer.append(current!.id, points(1, 5))).toBe(5);
    // A re-read file, a repeated epoch, a point from the past: nothing new.
    expect(buffer.append(current!.id, [point(3), point(5), point(2)])).toBe(0);
    expect(buffer.append(current!.id, [point(5), point(6, { hr: 150 }), point(6), point(7)])).toBe(2);
    const pending = buffer.pending(current!.id, 100);
    expect(pending.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(pending[5]).toEqual({ seq: 6, ...point(6, { hr: 150 }) });
    expect(buffer.get(current!.id)).toMatchObject({ received: 7, sent: 0, lastPointMs: T0 + 7000 });
  });

  it('moves the activity id and the acknowledged mark together, and never back', () => {
    const { buffer } = openBuffer();
    const id = buffer.claim(claimFor('me')).current!.id;
    buffer.append(id, points(1, 10));
    buffer.markStarted(id, '42', 4);
    expect(buffer.pending(id, 3).map((p) => p.seq)).toEqual([5, 6, 7]);
    expect(() => buffer.markStarted(id, '43', 7)).toThrow(/already has an activity/);
    buffer.markSent(id, 7);
    buffer.markSent(id, 5);
    expect(buffer.get(id)).toMatchObject({ activityId: '42', sent: 7, received: 10 });
  });

  it('survives closing (a restart): same session, same marks, same points', () => {
    const { buffer, dir } = openBuffer();
    const id = buffer.claim(claimFor('first')).current!.id;
    buffer.append(id, points(1, 6));
    buffer.markStarted(id, '7', 3);
    buffer.close();
    const again = openBuffer(dir).buffer;
    const claim = again.claim(claimFor('second', undefined, { now: T0 + 5_000 }));
    expect(claim).toMatchObject({ resumed: true, backlog: [] });
    expect(claim.current).toMatchObject({ id, activityId: '7', sent: 3, received: 6, owner: 'second' });
    expect(again.pending(id, 10).map((p) => p.seq)).toEqual([4, 5, 6]);
  });

  it('refuses a second live process of the account while the first is alive, and takes over from a dead one', () => {
    const { buffer } = openBuffer();
    buffer.claim(claimFor('alive'));
    expect(() => buffer.claim(claimFor('other', undefined, { isAlive: (o) => o === 'alive' }))).toThrow(/already sending a live activity/);
    const claim = buffer.claim(claimFor('other', undefined, { isAlive: () => false }));
    expect(claim.resumed).toBe(true);
    expect(claim.current!.owner).toBe('other');
    // Another account is not affected.
    expect(buffer.claim({ ...claimFor('third'), account: 'someone else', isAlive: () => true }).resumed).toBe(false);
  });

  it('finishes (rather than resumes) a session of another source or one left too long ago, and carries the newest point time over', () => {
    const { buffer } = openBuffer();
    const old = buffer.claim(claimFor('a', 'file:///track.gpx')).current!;
    buffer.append(old.id, points(1, 3));
    buffer.release('a');

    const otherSource = buffer.claim(claimFor('b', 'gpsd://localhost:2947'));
    expect(otherSource.resumed).toBe(false);
    expect(otherSource.backlog.map((s) => [s.id, s.state])).toEqual([[old.id, 'finishing']]);

    const stale = buffer.claim(claimFor('c', 'gpsd://localhost:2947', { now: T0 + 3_600_000 }));
    expect(stale.resumed).toBe(false);
    expect(stale.backlog.map((s) => s.id)).toEqual([old.id, otherSource.current!.id]);

    // The same file followed again later: its points up to the last one taken are not taken again.
    buffer.moveTo(old.id, 'stopped');
    const refollow = buffer.claim(claimFor('d', 'file:///track.gpx', { now: T0 + 7_200_000 }));
    expect(refollow.current!.lastPointMs).toBe(T0 + 3000);
    expect(buffer.append(refollow.current!.id, points(1, 5))).toBe(2);
  });

  it('moves states only forward and drops the points of a stopped session', () => {
    const { buffer } = openBuffer();
    const id = buffer.claim(claimFor('me')).current!.id;
    buffer.append(id, points(1, 3));
    expect(() => buffer.moveTo(id, 'stopped')).toThrow(/recording → stopped is not a move/);
    buffer.moveTo(id, 'finishing');
    expect(() => buffer.append(id, points(4, 4))).toThrow(/not recording/);
    buffer.moveTo(id, 'stopped');
    expect(() => buffer.moveTo(id, 'finishing')).toThrow(/not a move/);
    expect(buffer.pending(id, 10)).toEqual([]);
    expect(buffer.openSessions('acct')).toEqual([]);
  });

  it('without a source, puts every open session of the account into finishing', () => {
    const { buffer } = openBuffer();
    const id = buffer.claim(claimFor('a')).current!.id;
    const { current, backlog } = buffer.claim({ ...claimFor('b'), session: undefined });
    expect(current).toBeUndefined();
    expect(backlog.map((s) => [s.id, s.state])).toEqual([[id, 'finishing']]);
  });
});
