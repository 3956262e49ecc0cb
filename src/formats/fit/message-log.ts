import type { Definition } from './definition.js';
import { MESG_FILE_ID } from './profile.js';
import type { MessageSink } from './scan.js';
import { copy } from './track.js';

/**
 * Every data message a scan decodes, in file order, column by column: where its fields
 * are in the original bytes, which definition they follow, its timestamp and whether its
 * header was a compressed-timestamp one. A repair decides what to keep from this log and
 * then copies the kept messages' bytes; nothing is decoded twice and no object is made
 * per message (a 24-hour file has ~90,000 of them).
 */
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
  /** COMPRESSED, DROP. */
  flags = new Uint8Array(1024);
  /** The definitions messages were read with, each once. */
  readonly defs: Definition[] = [];

  static readonly COMPRESSED = 1;
  /** Left out of the repair (garbled, or a duplicate file_id). */
  static readonly DROP = 2;

  private readonly defIndex = new Map<Definition, number>();
  private lastLogged = false;

  message(def: Definition, pos: number, time: number, compressed: boolean): void {
    if (this.length >= MessageLog.MAX_MESSAGES) {
      this.notLogged++;
      this.lastLogged = false;
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
    this.flags[i] = compressed ? MessageLog.COMPRESSED : 0;
    this.lastLogged = true;
  }

  /** The file_id is never taken back: the classification already trusts it, and a FIT file needs one. */
  retract(): void {
    if (this.lastLogged && this.definitionOf(this.length - 1).global !== MESG_FILE_ID) this.length--;
    else if (this.notLogged > 0) this.notLogged--;
    this.lastLogged = false;
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

