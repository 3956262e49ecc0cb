import { usageError } from '../../errors.js';
import { wakeDaemon } from '../../daemon/wake.js';
import { Journal } from '../../journal/journal.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface RetryOptions extends GlobalOptions {
  readonly id?: string;
  readonly all?: boolean;
}

/** Failed entries go back to the queue now (the next sync or the daemon sends them). */
export async function runRetry(options: RetryOptions, io: Io): Promise<{ requeued: number }> {
  const { stateDir } = await commandContext(options, io.log);
  if (!options.all && !options.id) throw usageError('USAGE', 'retry: give a file id (see `mmt-sync status`) or --all');
  const journal = Journal.open(stateDir);
  try {
    const target = options.all ? 'all' : Number(options.id);
    if (target !== 'all' && !Number.isInteger(target)) throw usageError('USAGE', `retry: expected a file id or --all, got "${options.id}"`);
    const requeued = journal.retryFailed(target);
    if (target !== 'all' && requeued === 0) throw usageError('NOT_FAILED', `retry: file #${target} is not a failed entry`);
    const daemonWoken = requeued > 0 && (await wakeDaemon(stateDir));
    io.out(
      options.json
        ? JSON.stringify({ requeued, daemonWoken })
        : `${requeued} failed file${requeued === 1 ? '' : 's'} queued again${daemonWoken ? '; the running daemon sends them now' : ''}`,
    );
    return { requeued };
  } finally {
    journal.close();
  }
}
