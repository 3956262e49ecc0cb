import type { Definition } from './definition.js';
import { MESG_ACTIVITY, MESG_FILE_ID, MESG_LAP, MESG_SESSION } from './profile.js';
import type { MessageSink } from './scan.js';
import { TrustedTime } from './resync.js';
import { copy } from './track.js';

/**
 * Every data message a scan decodes, in file order, column by column: where its fields
 * are in the original bytes, which definition they follow, its timestamp and whether its
 * header was a compressed-timestamp one. A repair decides what to keep from this log and
 * then copies the kept messages' bytes; nothing is decoded twice and no object is made
 * per message (a 24-hour file has ~90,000 of them).
 */
/** Messages a bad record right after them does not take back when their time is in line. */
const KEPT_IN_LINE = new Set([MESG_FILE_ID, MESG_LAP, MESG_SESSION, MESG_ACTIVITY]);

export class MessageLog implements MessageSink {
  /** A week at one record a second; beyond it a repair keeps the start (hostile files stay bounded). */
  static readonly MAX_MESSAGES = 1_000_000;

  length = 0;
  /** Messages not logged because of MAX_MESSAGES. */
  notLogged = 0;
  /** Offset of the message's fields (just past its record header). */
  pos = new Uint32Array(1024);
  /** Index into `defs`. */
  def = new Uint32Array(1024);
  /** FIT seconds, NaN when the message has no time. */
  time = new Float64Array(1024);
  /** COMPRESSED, DROP, IN_LINE. */
  flags = new Uint8Array(1024);
  /** The definitions messages were read with, each once. */
  readonly defs: Definition[] = [];

  static readonly COMPRESSED = 1;
  /** Left out of the repair (garbled, or a duplicate file_id). */
  static readonly DROP = 2;
  /** Its time was in line with the trusted time: it was read in step. */
  static readonly IN_LINE = 4;
  /** How far back a bad record may take messages with it. */
  static readonly MAX_TAKEN_BACK = 32;

  /** Messages taken back because a bad record followed them. */
  takenBack = 0;
  private readonly defIndex = new Map<Definition, number>();
  private readonly trusted = new TrustedTime();
  /** Entries below this are settled: a later bad record does not take them back. */
  private settled = 0;

  message(def: Definition, pos: number, time: number, compressed: boolean): void {
    if (this.length >= MessageLog.MAX_MESSAGES) {
      this.notLogged++;
      return;
    }
    if (this.length === this.pos.length) this.grow();
    let index = this.defIndex.get(def);
    if (index === undefined) {
      index = this.defs.push(def) - 1;
      this.defIndex.set(def, index);
    }
    const i = this.length++;
    this.pos[i] = pos;
    this.def[i] = index;
    this.time[i] = time;
    let flags = compressed ? MessageLog.COMPRESSED : 0;
    if (time === time) {
      this.trusted.see(time);
      if (this.trusted.time === time) flags |= MessageLog.IN_LINE;
    }
    this.flags[i] = flags;
  }

  /**
   * Bytes read out of step after a lost or garbled byte can decode for a while before a
   * bad record shows: the messages after the last one whose time was in line go, and that
   * one too (the message right before a bad record may be garbled itself) unless it is a
   * file_id or summary message, whose time being in line is worth more than the doubt
   * (and a FIT file needs its file_id). At most MAX_TAKEN_BACK; without an in-line
   * message among them, only the last one.
   */
  badRecord(): void {
    const floor = Math.max(this.settled, this.length - MessageLog.MAX_TAKEN_BACK);
    let keep = this.length - 1;
    for (let i = this.length - 1; i >= floor; i--) {
      if (this.flags[i]! & MessageLog.IN_LINE) {
        keep = KEPT_IN_LINE.has(this.definitionOf(i).global) ? i + 1 : i;
        break;
      }
    }
    keep = Math.max(keep, this.settled);
    for (let i = keep; i < this.length; i++) {
      if (this.definitionOf(i).global === MESG_FILE_ID) keep = i + 1;
    }
    this.takenBack += this.length - keep;
    this.length = keep;
    this.settled = keep;
  }

  definitionOf(i: number): Definition {
    return this.defs[this.def[i]!]!;
  }

  private grow(): void {
    const size = this.pos.length * 2;
    this.pos = copy(new Uint32Array(size), this.pos);
    this.def = copy(new Uint32Array(size), this.def);
    this.time = copy(new Float64Array(size), this.time);
    this.flags = copy(new Uint8Array(size), this.flags);
  }
}

