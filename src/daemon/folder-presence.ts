import { statSync } from 'node:fs';
import type { Source } from '../sources/source.js';

export interface PresenceHandlers {
  /** The folder is there: at the start (`initial`), or back after it was gone. */
  readonly onPresent: (source: Source, initial: boolean) => void;
  /** The folder went away, or (`initial`) is not there at the start. Said once per absence. */
  readonly onAbsent: (source: Source, initial: boolean) => void;
}

/** One stat a second per configured folder: the whole cost of noticing a return within 2 s. */
const CHECK_EVERY_MS = 1000;

/** A folder's identity: a remount has another device, a recreated folder another inode or (inode reused) birth time. */
type Presence = { readonly present: false } | { readonly present: true; readonly dev: number; readonly ino: number; readonly born: number };

function look(root: string): Presence {
  try {
    const stats = statSync(root);
    return stats.isDirectory() ? { present: true, dev: stats.dev, ino: stats.ino, born: stats.birthtimeMs } : { present: false };
  } catch {
    return { present: false };
  }
}

/**
 * Notices a configured folder disappearing and coming back: a drive or card reader
 * unplugged and plugged in again, a network share remounted, a sync folder recreated.
 * Polled, because neither is reliably an event: a mount lands on an existing directory
 * without a word to a watcher of its parent, and a watcher of the folder itself dies with
 * it. A folder replaced by another (a different device and inode) counts as gone and back.
 */
export class FolderPresence {
  private readonly known = new Map<string, { source: Source; presence: Presence }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly handlers: PresenceHandlers, everyMs = CHECK_EVERY_MS) {
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  /** The folders to follow from now on (others are dropped); new ones are reported at once. */
  track(sources: readonly Source[]): void {
    const ids = new Set(sources.map((s) => s.id));
    for (const id of this.known.keys()) if (!ids.has(id)) this.known.delete(id);
    for (const source of sources) {
      const entry = this.known.get(source.id);
      if (entry) {
        entry.source = source;
        continue;
      }
      const presence = look(source.root);
      this.known.set(source.id, { source, presence });
      if (presence.present) this.handlers.onPresent(source, true);
      else this.handlers.onAbsent(source, true);
    }
  }

  isPresent(sourceId: string): boolean {
    return this.known.get(sourceId)?.presence.present ?? false;
  }

  private check(): void {
    for (const entry of this.known.values()) {
      const before = entry.presence;
      const now = look(entry.source.root);
      entry.presence = now;
      if (before.present && now.present && (before.dev !== now.dev || before.ino !== now.ino || before.born !== now.born)) {
        this.handlers.onAbsent(entry.source, false);
        this.handlers.onPresent(entry.source, false);
      } else if (before.present && !now.present) this.handlers.onAbsent(entry.source, false);
      else if (!before.present && now.present) this.handlers.onPresent(entry.source, false);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
