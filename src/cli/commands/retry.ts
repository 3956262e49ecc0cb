import { usageError } from '../../errors.js';
import { wakeDaemon } from '../../daemon/wake.js';
import { Journal } from '../../journal/journal.js';
import { sendNow } from '../../queue/send-now.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface RetryOptions extends GlobalOptions {
  readonly id?: string;
  readonly all?: boolean;
}

export interface RetryResult {
  /** Files that go out now: failed ones queued again plus waiting ones due at once. */
  readonly requeued: number;
  readonly failed: number;
  readonly waiting: number;
  /** A running daemon was told, and sends them now. */
  readonly daemonWoken: boolean;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Failed and waiting files go out now: the running daemon is woken, else the next sync sends them. */
export async function runRetry(options: RetryOptions, io: Io): Promise<RetryResult> {
  const { stateDir } = await commandContext(options, io.log);
  if (!options.all && !options.id) throw usageError('USAGE', 'retry: give a file id (see `mmt-sync list`) or --all');
  const target = options.all ? 'all' : Number(options.id);
  if (target !== 'all' && !Number.isInteger(target)) throw usageError('USAGE', `retry: expected a file id or --all, got "${options.id}"`);
  const journal = Journal.open(stateDir);
  let sent;
  try {
    if (target !== 'all') {
      const record = journal.get(target);
      if (!record) throw usageError('NOT_FOUND', `retry: no file #${target} in the journal (see \`mmt-sync list\`)`);
      if (record.state === 'uploaded') throw usageError('NOT_RETRYABLE', `retry: file #${target} is uploaded already; \`mmt-sync forget ${target}\` sends it again`);
      if (record.state === 'uploading') throw usageError('NOT_RETRYABLE', `retry: file #${target} is being uploaded right now`);
      if (record.state !== 'failed' && record.state !== 'queued') {
        throw usageError('NOT_RETRYABLE', `retry: file #${target} is ${record.state}, not an upload; \`mmt-sync forget --force ${target}\` queues it anyway`);
      }
    }
    sent = sendNow(journal, target);
  } finally {
    journal.close();
  }
  const requeued = sent.failed + sent.waiting;
  const daemonWoken = requeued > 0 && (await wakeDaemon(stateDir));
  const result: RetryResult = { requeued, ...sent, daemonWoken };
  if (options.json) io.out(JSON.stringify(result));
  else if (!requeued) io.out('nothing to retry: no file is failed or waiting');
  else {
    const parts = [sent.failed ? `${plural(sent.failed, 'failed file')} queued again` : '', sent.waiting ? `${plural(sent.waiting, 'waiting file')} due now` : ''].filter(Boolean);
    io.out(`${parts.join(', ')}: ${daemonWoken ? 'the running daemon sends them now' : 'the next `mmt-sync sync` sends them (no daemon is running)'}`);
  }
  return result;
}
