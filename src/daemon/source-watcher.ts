import { watch, type FSWatcher } from 'chokidar';
import type { Source } from '../sources/source.js';

/**
 * Turns file events under one source into "scan this source now", batched: a burst of
 * events (a watch writing a file in chunks) becomes one scan once the source has been
 * quiet for `quietMs`. MTP and network sources get polling, the only reliable way there.
 */
export class SourceWatcher {
  private readonly watcher: FSWatcher;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly source: Source,
    quietMs: number,
    pollIntervalMs: number,
    onQuiet: (source: Source) => void,
  ) {
    this.watcher = watch(source.root, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      depth: 8,
      usePolling: source.poll,
      interval: pollIntervalMs,
      binaryInterval: pollIntervalMs,
      ignorePermissionErrors: true,
    });
    const poke = () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        onQuiet(source);
      }, quietMs);
    };
    this.watcher.on('add', poke).on('change', poke).on('error', () => poke());
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.watcher.close();
  }
}
