import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { failure, isErrnoException } from '../errors.js';
import { ensurePrivateDir, writeFileAtomic } from '../fsutil/atomic-write.js';
import type { TokenStore } from './token-store.js';
import { parseStoredTokens, serializeTokens, type StoredTokens } from './tokens.js';

/** For headless machines without a keyring: a 0600 file in the 0700 state directory. */
export class FileTokenStore implements TokenStore {
  readonly description: string;
  readonly path: string;

  constructor(
    private readonly stateDir: string,
    account: string,
  ) {
    const id = createHash('sha256').update(account).digest('hex').slice(0, 16);
    this.path = join(stateDir, `tokens-${id}.json`);
    this.description = `file ${this.path}`;
  }

  async read(): Promise<StoredTokens | undefined> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
      throw failure('TOKEN_STORE_UNREADABLE', `cannot read the token file ${this.path}: ${(error as Error).message}`, error);
    }
    const mode = statSync(this.path).mode & 0o777;
    if (mode & 0o077) {
      throw failure('TOKEN_STORE_INSECURE', `the token file ${this.path} is readable by others (mode ${mode.toString(8)}): run chmod 600 on it`);
    }
    return parseStoredTokens(text);
  }

  async write(tokens: StoredTokens): Promise<void> {
    ensurePrivateDir(this.stateDir);
    writeFileAtomic(this.path, serializeTokens(tokens), 0o600);
  }

  async delete(): Promise<boolean> {
    try {
      statSync(this.path);
    } catch {
      return false;
    }
    rmSync(this.path, { force: true });
    return true;
  }
}
