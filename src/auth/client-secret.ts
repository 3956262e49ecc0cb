/**
 * The OAuth client secret, kept where the tokens are (the OS keychain, or a 0600 file in
 * the state directory) so that no config file has to hold it. `mmt-sync setup` writes it;
 * the account reads it when neither the config file nor MMT_CLIENT_SECRET gives one. It
 * is the application's credential, not the user's session: `logout` leaves it.
 */
import { join } from 'node:path';
import { registerSecret } from '../redact.js';
import { accountFileId } from './file-store.js';
import { KEYCHAIN_SERVICE, KeychainEntry } from './keychain-entry.js';
import { PrivateFile } from './private-file.js';

export interface ClientSecretStore {
  readonly description: string;
  read(): Promise<string | undefined>;
  write(secret: string): Promise<void>;
  delete(): Promise<boolean>;
}

class KeychainClientSecret implements ClientSecretStore {
  readonly description: string;
  private readonly entry: KeychainEntry;

  constructor(account: string) {
    const name = `${account} client secret`;
    this.entry = new KeychainEntry(name);
    this.description = `keychain (service "${KEYCHAIN_SERVICE}", account "${name}")`;
  }

  async read(): Promise<string | undefined> {
    const secret = await this.entry.read();
    registerSecret(secret);
    return secret || undefined;
  }

  write(secret: string): Promise<void> {
    registerSecret(secret);
    return this.entry.write(secret);
  }

  delete(): Promise<boolean> {
    return this.entry.delete();
  }
}

class FileClientSecret implements ClientSecretStore {
  readonly description: string;
  private readonly file: PrivateFile;

  constructor(stateDir: string, account: string) {
    const path = join(stateDir, `client-secret-${accountFileId(account)}`);
    this.file = new PrivateFile(stateDir, path, 'client secret file');
    this.description = `file ${path}`;
  }

  async read(): Promise<string | undefined> {
    const secret = this.file.read()?.trim();
    registerSecret(secret);
    return secret || undefined;
  }

  async write(secret: string): Promise<void> {
    registerSecret(secret);
    this.file.write(`${secret}\n`);
  }

  async delete(): Promise<boolean> {
    return this.file.delete();
  }
}

export function clientSecretStore(kind: 'keychain' | 'file', stateDir: string, account: string): ClientSecretStore {
  return kind === 'file' ? new FileClientSecret(stateDir, account) : new KeychainClientSecret(account);
}
