import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PrivateFile } from './private-file.js';
import type { TokenStore } from './token-store.js';
import { parseStoredTokens, serializeTokens, type StoredTokens } from './tokens.js';

/** The file name part that tells one account's files from another's. */
export function accountFileId(account: string): string {
  return createHash('sha256').update(account).digest('hex').slice(0, 16);
}

/** For headless machines without a keyring: a 0600 file in the 0700 state directory. */
export class FileTokenStore implements TokenStore {
  readonly description: string;
  readonly path: string;
  private readonly file: PrivateFile;

  constructor(stateDir: string, account: string) {
    this.path = join(stateDir, `tokens-${accountFileId(account)}.json`);
    this.file = new PrivateFile(stateDir, this.path, 'token file');
    this.description = `file ${this.path}`;
  }

  async read(): Promise<StoredTokens | undefined> {
    const text = this.file.read();
    return text === undefined ? undefined : parseStoredTokens(text);
  }

  async write(tokens: StoredTokens): Promise<void> {
    this.file.write(serializeTokens(tokens));
  }

  async delete(): Promise<boolean> {
    return this.file.delete();
  }
}
