import { statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
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

function presenceOf(stats: Stats | undefined): Presence {
  return stats?.isDirectory() ? { present: true, dev: stats.dev, ino: stats.ino, born: stats.birthtimeMs } : { present: false };
}

function look(root: string): Presence {
  try {
    return presenceOf(statSync(root));
  } catch {
    return { present: false };
  }
}

const sameFolder = (a: Presence, b: Presence) => a.present && b.present && a.dev === b.dev && a.ino === b.ino && a.born === b.born;

/**
 * Notices a configured folder disappearing and coming back: a drive or card reader
 * unplugged and plugged in again, a network share remounted, a sync folder recreated.
 * Polled, because neither is reliably an event: a mount lands on an existing directory
 * without a word to a watcher of its parent, and a watcher of the folder itself dies with
 * it. The polling is libuv's (`fs.watchFile`): the stat runs on the thread pool and
 * JavaScript runs only when something changed, so an idle daemon stays idle. A folder
 * replaced by another (a different device, inode or birth time) counts as gone and back.
 */
export class FolderPresence {
  private readonly known = new Map<string, { source: Source; presence: Presence; listener: (now: Stats) => void }>();

  constructor(private readonly handlers: PresenceHandlers, private readonly everyMs = CHECK_EVERY_MS) {}

  /** The folders to follow from now on (others are dropped); new ones are reported at once. */
  track(sources: readonly Source[]): void {
    const ids = new Set(sources.map((s) => s.id));
    for (const [id, entry] of this.known) {
      if (ids.has(id)) continue;
      unwatchFile(entry.source.root, entry.listener);
      this.known.delete(id);
    }
    for (const source of sources) {
      const current = this.known.get(source.id);
      if (current) {
        current.source = source;
        continue;
      }
      const entry = { source, presence: look(source.root), listener: (now: Stats) => this.changed(entry, presenceOf(now)) };
      this.known.set(source.id, entry);
      watchFile(source.root, { interval: this.everyMs, persistent: false }, entry.listener);
      if (entry.presence.present) this.handlers.onPresent(source, true);
      else this.handlers.onAbsent(source, true);
    }
  }

  isPresent(sourceId: string): boolean {
    return this.known.get(sourceId)?.presence.present ?? false;
  }

  private changed(entry: { source: Source; presence: Presence }, now: Presence): void {
    const before = entry.presence;
    entry.presence = now;
    if (before.present && now.present && !sameFolder(before, now)) {
      this.handlers.onAbsent(entry.source, false);
      this.handlers.onPresent(entry.source, false);
    } else if (before.present && !now.present) this.handlers.onAbsent(entry.source, false);
    else if (!before.present && now.present) this.handlers.onPresent(entry.source, false);
  }

  close(): void {
    for (const entry of this.known.values()) unwatchFile(entry.source.root, entry.listener);
    this.known.clear();
  }
}
