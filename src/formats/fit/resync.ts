import { readDefinition, type Definition } from './definition.js';
import { BASE_TYPE_SIZE } from './profile.js';
import { readNumber } from './values.js';

/**
 * After a bad record (a byte lost or garbled, as when a file went through a text-mode
 * transfer), finds where the records make sense again, so that a repair keeps every
 * decodable point instead of stopping at the first fault.
 *
 * A candidate offset is accepted only when the next few messages decode with the local
 * message types defined so far and carry timestamps close after the last good one:
 * 4 random bytes pass that window with odds of about 1 in 50,000, twice in a row 1 in 2.5e9.
 */
const RUN = 4;
const BEHIND_S = 3600;
const AHEAD_S = 86_400;

/** Messages in a row that must agree on a time far from the trusted one before it moves there. */
const REANCHOR = 8;

/**
 * The time resynchronisation measures candidates against. Bytes decoded out of step after
 * a lost byte carry times decades off, and a bad record may show up only hundreds of bytes
 * later: the last message's time would then lead the search astray. A time far from the
 * trusted one is believed only when REANCHOR messages in a row agree on it (a recording
 * paused overnight moves it; a few garbled messages do not).
 */
export class TrustedTime {
  time = NaN;
  private pending = NaN;
  private agreeing = 0;

  reset(): void {
    this.time = NaN;
    this.agreeing = 0;
  }

  see(t: number): void {
    const trusted = this.time;
    if (trusted !== trusted || (t >= trusted - BEHIND_S && t <= trusted + AHEAD_S)) {
      this.time = t;
      this.agreeing = 0;
    } else if (this.agreeing > 0 && t >= this.pending - BEHIND_S && t <= this.pending + AHEAD_S) {
      this.pending = t;
      if (++this.agreeing >= REANCHOR) {
        this.time = t;
        this.agreeing = 0;
      }
    } else {
      this.pending = t;
      this.agreeing = 1;
    }
  }
}

export interface ResyncBudget {
  /** Offsets still allowed to be tried in this scan; bounds the work on hostile input. */
  left: number;
}

/** The offset at which decoding can resume, or -1. `lastTime` (the trusted time) must be known. */
export function findResume(
  bytes: Uint8Array,
  view: DataView,
  defs: readonly (Definition | undefined)[],
  from: number,
  limit: number,
  lastTime: number,
  budget: ResyncBudget,
): number {
  if (lastTime !== lastTime) return -1;
  for (let q = from; q < limit; q++) {
    if (budget.left-- <= 0) return -1;
    if (plausibleRun(bytes, view, defs, q, limit, lastTime)) return q;
  }
  return -1;
}

function plausibleRun(
  bytes: Uint8Array,
  view: DataView,
  defs: readonly (Definition | undefined)[],
  start: number,
  limit: number,
  lastTime: number,
): boolean {
  let local = defs;
  let p = start;
  let timed = 0;
  for (let n = 0; n < RUN && p < limit; n++) {
    const header = bytes[p]!;
    if (header & 0x80) {
      const def = local[(header >> 5) & 0x03];
      if (!def || p + 1 + def.size > limit) return false;
      p += 1 + def.size;
    } else if (header & 0x40) {
      if (!plausibleDefinition(bytes, p, limit)) return false;
      const result = readDefinition(bytes, p, limit);
      if (typeof result === 'string') return false;
      if (local === defs) local = defs.slice();
      (local as (Definition | undefined)[])[header & 0x0f] = result.def;
      p = result.next;
    } else {
      const def = local[header & 0x0f];
      if (!def || p + 1 + def.size > limit) return false;
      if (def.tsOff >= 0) {
        const t = readNumber(view, p + 1 + def.tsOff, def.tsType, def.tsSize, def.little);
        if (!(t >= lastTime - BEHIND_S && t <= lastTime + AHEAD_S)) return false;
        timed++;
      }
      p += 1 + def.size;
    }
  }
  return timed >= 2 || (p === limit && timed >= 1);
}

/** Reserved byte 0, a known architecture, known base types of fitting sizes. */
function plausibleDefinition(bytes: Uint8Array, p: number, limit: number): boolean {
  if (p + 6 > limit || bytes[p + 1] !== 0 || bytes[p + 2]! > 1) return false;
  const count = bytes[p + 5]!;
  if (count === 0 || p + 6 + count * 3 > limit) return false;
  for (let i = 0, f = p + 6; i < count; i++, f += 3) {
    const size = BASE_TYPE_SIZE[bytes[f + 2]! & 0x1f];
    if (size === undefined || bytes[f + 1] === 0 || bytes[f + 1]! % size !== 0) return false;
  }
  return true;
}
