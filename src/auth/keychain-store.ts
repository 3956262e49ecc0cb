import { KEYCHAIN_SERVICE, KeychainEntry } from './keychain-entry.js';
import type { TokenStore } from './token-store.js';
import { parseStoredTokens, serializeTokens, type StoredTokens } from './tokens.js';

export { KeychainUnreachable } from './keychain-entry.js';

/** Tokens in the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager). */
export class KeychainTokenStore implements TokenStore {
  readonly description: string;
  private readonly entry: KeychainEntry;

  constructor(account: string) {
    this.entry = new KeychainEntry(account);
    this.description = `keychain (service "${KEYCHAIN_SERVICE}", account "${account}")`;
  }

  async read(): Promise<StoredTokens | undefined> {
    const text = await this.entry.read();
    return text === undefined ? undefined : parseStoredTokens(text);
  }

  write(tokens: StoredTokens): Promise<void> {
    return this.entry.write(serializeTokens(tokens));
  }

  delete(): Promise<boolean> {
    return this.entry.delete();
  }
}
