import { MmtError } from '../errors.js';

/**
 * SQLite's failures in the user's words. A full disk or a read-only state dir is
 * permanent until the user acts, so it is reported once and not retried blindly.
 */
export function journalError(error: unknown, where: string): MmtError {
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_FULL' || /ENOSPC|database or disk is full/i.test(message)) {
    return new MmtError('failed', 'JOURNAL_DISK_FULL', `the disk holding the journal is full (${where}): free some space; nothing was lost`, { cause: error });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || /EACCES|EROFS|ENOTDIR|EPERM|readonly/i.test(message)) {
    return new MmtError('failed', 'JOURNAL_READ_ONLY', `the journal cannot be written (${where}: ${message}): make the state directory writable`, { cause: error });
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new MmtError('failed', 'JOURNAL_CORRUPT', `the journal is damaged (${where}: ${message}); move it aside and rescan`, { cause: error });
  }
  return new MmtError('internal', 'JOURNAL_ERROR', `journal ${where}: ${message}`, { cause: error });
}
