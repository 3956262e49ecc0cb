import { statfsSync } from 'node:fs';
import { MmtError } from '../errors.js';

/**
 * SQLite's failures in the user's words. A full disk or a read-only state dir is
 * permanent until the user acts, so it is reported once and not retried blindly.
 */
function diskIsFull(path: string | undefined): boolean {
  if (!path) return false;
  try {
    return statfsSync(path).bavail === 0;
  } catch {
    return false;
  }
}

export function journalError(error: unknown, where: string, path?: string): MmtError {
  if (error instanceof MmtError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  // SQLite reports a full disk as SQLITE_FULL, or (creating its -shm file) as an I/O error.
  if (code === 'SQLITE_FULL' || /ENOSPC|database or disk is full/i.test(message) || (code.startsWith('SQLITE_IOERR') && diskIsFull(path))) {
    return new MmtError('failed', 'JOURNAL_DISK_FULL', `the disk holding the journal is full (${where}): free some space; nothing was lost`, { cause: error });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || /EACCES|EROFS|ENOTDIR|EPERM|readonly/i.test(message)) {
    return new MmtError('failed', 'JOURNAL_READ_ONLY', `the journal cannot be written (${where}: ${message}): make the state directory writable`, { cause: error });
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new MmtError('failed', 'JOURNAL_CORRUPT', `the journal is damaged (${where}: ${message}); move it aside and rescan`, { cause: error });
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new MmtError('failed', 'JOURNAL_IO_ERROR', `the disk holding the journal reported an I/O error (${where}: ${code}); check the disk, nothing was lost`, { cause: error });
  }
  return new MmtError('internal', 'JOURNAL_ERROR', `journal ${where}: ${message}`, { cause: error });
}
