/** In the callers' units (degrees): ~10 cm, below what the encoded polyline keeps (~1 m). */
const MIN_DEVIATION = 1e-6;

/**
 * Douglas-Peucker to a point budget: the track's most significant points, at most
 * `budget` of them, always including both ends. Classic Douglas-Peucker takes a
 * distance tolerance; a drawing needs a point count, so the segment with the largest
 * deviation is split first (a max-heap of pending segments) until the budget is spent
 * or every remaining point lies on its chord (within MIN_DEVIATION). One pass,
 * O(n log n) on average.
 *
 * Coordinates are planar: callers project (see sketch.ts).
 */
export function simplifyToBudget(xs: Float64Array, ys: Float64Array, length: number, budget: number): Uint32Array {
  if (length <= budget || length <= 2) return Uint32Array.from({ length }, (_, i) => i);
  const keep = new Uint8Array(length);
  keep[0] = 1;
  keep[length - 1] = 1;
  let kept = 2;
  const heap = new SegmentHeap();
  heap.push(farthest(xs, ys, 0, length - 1));
  while (kept < budget) {
    const segment = heap.pop();
    if (!segment || segment.distance <= MIN_DEVIATION * MIN_DEVIATION) break;
    keep[segment.index] = 1;
    kept++;
    if (segment.index - segment.start > 1) heap.push(farthest(xs, ys, segment.start, segment.index));
    if (segment.end - segment.index > 1) heap.push(farthest(xs, ys, segment.index, segment.end));
  }
  const indices = new Uint32Array(kept);
  for (let i = 0, j = 0; i < length; i++) if (keep[i]) indices[j++] = i;
  return indices;
}

interface Segment {
  readonly start: number;
  readonly end: number;
  /** The point between start and end farthest from their chord, and its squared distance. */
  readonly index: number;
  readonly distance: number;
}

function farthest(xs: Float64Array, ys: Float64Array, start: number, end: number): Segment {
  const ax = xs[start]!;
  const ay = ys[start]!;
  const dx = xs[end]! - ax;
  const dy = ys[end]! - ay;
  const lengthSq = dx * dx + dy * dy;
  let best = start + 1;
  let bestDistance = -1;
  for (let i = start + 1; i < end; i++) {
    let px = xs[i]! - ax;
    let py = ys[i]! - ay;
    if (lengthSq > 0) {
      // Distance to the segment, not the infinite line: an out-and-back keeps its turn.
      const t = Math.max(0, Math.min(1, (px * dx + py * dy) / lengthSq));
      px -= t * dx;
      py -= t * dy;
    }
    const distance = px * px + py * py;
    if (distance > bestDistance) {
      bestDistance = distance;
      best = i;
    }
  }
  return { start, end, index: best, distance: bestDistance };
}

/** A binary max-heap of segments by distance. */
class SegmentHeap {
  private readonly items: Segment[] = [];

  push(segment: Segment): void {
    const items = this.items;
    items.push(segment);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.distance >= segment.distance) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = segment;
  }

  pop(): Segment | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (!top || !last || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.distance > items[left]!.distance ? right : left;
      if (items[child]!.distance <= last.distance) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
