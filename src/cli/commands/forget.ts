import { usageError } from '../../errors.js';
import { wakeDaemon } from '../../daemon/wake.js';
import { Journal } from '../../journal/journal.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface ForgetOptions extends GlobalOptions {
  readonly id: string;
  readonly force?: boolean;
}

/**
 * For the user who deleted an activity on the site and wants it back: the journal
 * forgets that it was uploaded (or judged a duplicate), and the next sync sends it again.
 */
export async function runForget(options: ForgetOptions, io: Io): Promise<{ id: number }> {
  const { stateDir } = await commandContext(options, io.log);
  const id = Number(options.id);
  if (!Number.isInteger(id)) throw usageError('USAGE', `forget: expected a file id, got "${options.id}"`);
  const journal = Journal.open(stateDir);
  try {
    const record = journal.get(id);
    if (!record) throw usageError('NOT_FOUND', `forget: no file #${id} in the journal`);
    const allowed = options.force ? ['uploaded', 'duplicate', 'skipped', 'baseline', 'failed'] : ['uploaded', 'duplicate'];
    if (!allowed.includes(record.state)) {
      throw usageError('NOT_FORGETTABLE', `forget: file #${id} is ${record.state}${options.force ? '' : ' (use --force to queue it anyway)'}`);
    }
    journal.forget(id);
    const daemonWoken = await wakeDaemon(stateDir);
    const when = daemonWoken ? 'now, by the running daemon' : 'at the next sync';
    io.out(
      options.json
        ? JSON.stringify({ id, path: record.path, daemonWoken })
        : record.unread
          ? `#${id} ${record.path} will be read and uploaded ${when} (it was never read: its device must be connected)`
          : `#${id} ${record.path} will be uploaded again ${when}`,
    );
    return { id };
  } finally {
    journal.close();
  }
}
