import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expandHome } from '../config/paths.js';
import { usageError } from '../errors.js';

/**
 * `--folder` names what the user wants synced: one that is not there is a mistake on the
 * command line (exit 2), not a device that went away mid-run.
 */
export async function requireFolders(folders: readonly string[] = []): Promise<void> {
  for (const folder of folders) {
    const path = resolve(expandHome(folder));
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      if (info.code === 'ENOENT' || info.code === 'ENOTDIR') throw usageError('NO_SUCH_FOLDER', `no such folder: ${folder}`);
      throw usageError('FOLDER_UNREADABLE', `--folder ${folder}: ${info.code === 'EACCES' ? 'permission denied' : info.message}`);
    }
    if (!info.isDirectory()) throw usageError('NOT_A_FOLDER', `not a folder: ${folder} (--folder takes a directory)`);
  }
}
