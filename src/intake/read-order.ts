import type { Candidate } from './candidate.js';

/** A binary heap: the smallest by `before` on top. */
class Heap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < items.length && this.before(items[left]!, items[best]!)) best = left;
      if (right < items.length && this.before(items[right]!, items[best]!)) best = right;
      if (best === i) break;
      [items[i], items[best]] = [items[best]!, items[i]!];
      i = best;
    }
    return top;
  }
}

/**
 * Candidates waiting to be read: each becomes ready when its settle window has passed,
 * and among the ready ones the newest goes first, so the run just recorded leaves before
 * a backlog of old ones (and an unplug mid-scan has already sent it). Files seen within
 * `graceMs` of each other become ready that close together: the newest of them is waited
 * for rather than passed over for an older one that happened to be listed first.
 */
export class ReadOrder {
  private readonly waiting = new Heap<Candidate>((a, b) => a.readyAt < b.readyAt);
  private readonly upcoming = new Heap<Candidate>((a, b) => a.timeHintMs > b.timeHintMs);

  constructor(private readonly graceMs = 250) {}

  get size(): number {
    return this.waiting.size + this.upcoming.size;
  }

  push(candidate: Candidate): void {
    this.waiting.push(candidate);
  }

  /** The candidate to read next: the newest of those ready by `now + graceMs` (it may not be ready yet). */
  peek(now: number): Candidate | undefined {
    while (this.waiting.size && this.waiting.peek()!.readyAt <= now + this.graceMs) this.upcoming.push(this.waiting.pop()!);
    return this.upcoming.peek();
  }

  /** Takes the candidate `peek` gives, if it is ready at `now`. */
  take(now: number): Candidate | undefined {
    const next = this.peek(now);
    return next && next.readyAt <= now ? this.upcoming.pop() : undefined;
  }

  /** When the next candidate comes within reach (undefined: none waits). */
  nextReadyAt(): number | undefined {
    const next = this.waiting.peek();
    return next === undefined ? undefined : next.readyAt - this.graceMs;
  }
}
