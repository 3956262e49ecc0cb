import { describe, expect, it } from 'vitest';
import type { Candidate } from './candidate.js';
import { ReadOrder } from './read-order.js';

const candidate = (name: string, timeHintMs: number, readyAt: number): Candidate => ({
  sourceId: 's',
  relPath: name,
  path: `/x/${name}`,
  name,
  size: 1,
  mtimeMs: timeHintMs,
  timeHintMs,
  readyAt,
  bytes: { read: async () => ({ kind: 'unreadable', reason: 'not read in this test' }) },
});

describe('ReadOrder', () => {
  it('hands out the newest ready candidate first, and nothing before its settle window ends', () => {
    const order = new ReadOrder(0);
    for (const [name, time] of [['b', 2], ['d', 4], ['a', 1], ['c', 3]] as const) order.push(candidate(name, time, 100));
    order.push(candidate('late-but-newest', 9, 200));
    expect(order.take(99)).toBeUndefined();
    expect(order.nextReadyAt()).toBe(100);
    expect([order.take(100), order.take(100)].map((c) => c?.name)).toEqual(['d', 'c']);
    expect(order.nextReadyAt()).toBe(200);
    expect(order.take(200)?.name).toBe('late-but-newest');
    expect([order.take(200), order.take(200), order.take(200)].map((c) => c?.name)).toEqual(['b', 'a', undefined]);
    expect(order.size).toBe(0);
  });

  it('waits for a newer candidate that becomes ready within the grace, rather than take an older one first', () => {
    const order = new ReadOrder(50);
    order.push(candidate('old-listed-first', 1, 100));
    order.push(candidate('new-listed-later', 2, 130));
    order.push(candidate('newest-much-later', 3, 500));
    expect(order.take(100)).toBeUndefined();
    expect(order.peek(100)?.name).toBe('new-listed-later');
    expect([order.take(130), order.take(130)].map((c) => c?.name)).toEqual(['new-listed-later', 'old-listed-first']);
    expect(order.nextReadyAt()).toBe(450);
  });

  it('keeps order over thousands of candidates pushed in any order', () => {
    const order = new ReadOrder();
    const times = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000);
    for (const t of times) order.push(candidate(String(t), t, t % 3));
    const out: number[] = [];
    for (let c = order.take(3); c; c = order.take(3)) out.push(c.timeHintMs);
    expect(out).toEqual([...times].sort((a, b) => b - a));
  });
});
